/** An in-memory book inventory. Loans are tracked by ISBN. */
export class Inventory {
  #books = new Map();

  add(isbn, title, copies = 1) {
    if (!/^\d{10}(\d{3})?$/.test(isbn)) throw new Error(`Invalid ISBN: ${isbn}`);
    const book = this.#books.get(isbn) ?? { isbn, title, copies: 0, lent: 0 };
    book.copies += copies;
    this.#books.set(isbn, book);
    return { ...book };
  }

  lend(isbn) {
    const book = this.#require(isbn);
    if (book.lent >= book.copies) throw new Error(`No copy of "${book.title}" is available.`);
    book.lent += 1;
    return book.copies - book.lent;
  }

  giveBack(isbn) {
    const book = this.#require(isbn);
    if (book.lent === 0) throw new Error(`No copy of "${book.title}" is out on loan.`);
    book.lent -= 1;
    return book.copies - book.lent;
  }

  available(isbn) {
    const book = this.#require(isbn);
    return book.copies - book.lent;
  }

  #require(isbn) {
    const book = this.#books.get(isbn);
    if (!book) throw new Error(`Unknown ISBN: ${isbn}`);
    return book;
  }
}

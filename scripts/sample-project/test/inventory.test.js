import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Inventory } from '../src/inventory.js';

test('lending reduces the copies available until none are left', () => {
  const shelf = new Inventory();
  shelf.add('9780262033848', 'Introduction to Algorithms', 2);
  assert.equal(shelf.lend('9780262033848'), 1);
  assert.equal(shelf.lend('9780262033848'), 0);
  assert.throws(() => shelf.lend('9780262033848'), /No copy/);
});

test('giving a book back makes it available again', () => {
  const shelf = new Inventory();
  shelf.add('0131103628', 'The C Programming Language');
  shelf.lend('0131103628');
  assert.equal(shelf.giveBack('0131103628'), 1);
});

test('an invalid ISBN is refused', () => {
  assert.throws(() => new Inventory().add('12-34', 'Bad'), /Invalid ISBN/);
});

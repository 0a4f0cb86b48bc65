import type { Attachment } from 'svelte/attachments';

/** Whether each list is scrolled to its end; kept per element because the attachment re-runs. */
const atEnd = new WeakMap<Element, boolean>();
const SLACK_PX = 24;

/**
 * Keeps a scrolling list at its newest (last) item as items arrive, like a chat, unless the user
 * has scrolled up to read: then it stays where they are. `count` is read so the attachment runs
 * again when the number of items changes.
 */
export function followLatest(count: () => number): Attachment<HTMLElement> {
  return (node) => {
    count();
    // After the DOM update this run belongs to, so scrollHeight includes the new items.
    if (atEnd.get(node) ?? true) queueMicrotask(() => (node.scrollTop = node.scrollHeight));
    const onScroll = (): void => {
      atEnd.set(node, node.scrollHeight - node.scrollTop - node.clientHeight <= SLACK_PX);
    };
    node.addEventListener('scroll', onScroll);
    return () => node.removeEventListener('scroll', onScroll);
  };
}

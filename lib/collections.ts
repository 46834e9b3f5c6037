/** Appends to the list under a key, creating it: grouping in linear time (spreading a list per item is quadratic). */
export function pushTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}

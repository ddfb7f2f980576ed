// The one way the console builds DOM: elements whose text is always a text node and whose attributes are set one by
// one, so no served string is ever parsed as HTML.

/** An element with attributes ("class" sets className) and children (nodes, or values shown as text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return node;
}

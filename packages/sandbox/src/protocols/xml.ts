/** A tiny XML writer for the query, EC2 and REST-XML protocols. */

export type XmlValue = string | number | boolean | null | undefined | Date | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface XmlListStyle {
  /** Element name of list items: `member` (query protocol), `item` (EC2); a function for per-list names (Route 53). */
  item: string | ((listName: string) => string);
}

/** Writes `<name>value</name>`; objects become child elements, arrays become lists of items. `undefined` is omitted. */
export function toXml(name: string, value: XmlValue, style: XmlListStyle): string {
  if (value === undefined) return '';
  if (value === null) return `<${name}/>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value)) {
    const item = typeof style.item === 'function' ? style.item(name) : style.item;
    return `<${name}>${value.map((v) => toXml(item, v, style)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value)
      .map(([k, v]) => toXml(k, v, style))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

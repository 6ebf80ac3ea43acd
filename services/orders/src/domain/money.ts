import type { Money, PricedLine } from './types';

/** Money arithmetic in integer minor units; mixing currencies is a programming error. */

export function money(amountMinor: number, currency: string): Money {
  return { amountMinor, currency };
}

export function zero(currency: string): Money {
  return { amountMinor: 0, currency };
}

function same(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new Error(`currency mismatch: ${a.currency} vs ${b.currency}`);
}

export function add(a: Money, b: Money): Money {
  same(a, b);
  return { amountMinor: a.amountMinor + b.amountMinor, currency: a.currency };
}

export function subtract(a: Money, b: Money): Money {
  same(a, b);
  return { amountMinor: a.amountMinor - b.amountMinor, currency: a.currency };
}

export function min(a: Money, b: Money): Money {
  same(a, b);
  return a.amountMinor <= b.amountMinor ? a : b;
}

export function max0(a: Money): Money {
  return a.amountMinor < 0 ? { amountMinor: 0, currency: a.currency } : a;
}

export function lineTotal(line: PricedLine): Money {
  return { amountMinor: line.unitPrice.amountMinor * line.qty, currency: line.unitPrice.currency };
}

export function sumLines(lines: PricedLine[], currency: string): Money {
  return lines.reduce((acc, l) => add(acc, lineTotal(l)), zero(currency));
}

/** Kernel cpu lists ("0-3,6") as sets, for overlap and subset checks between slices. */
export function parseCpuList(list: string): Set<number> {
  const out = new Set<number>();
  for (const part of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) continue;
    const end = b === undefined || Number.isNaN(b) ? a : b;
    for (let i = a; i <= end && i - a < 65536; i++) out.add(i);
  }
  return out;
}

export function formatCpuSet(set: Set<number>): string {
  const sorted = [...set].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function intersection(a: Set<number>, b: Set<number>): Set<number> {
  return new Set([...a].filter((x) => b.has(x)));
}

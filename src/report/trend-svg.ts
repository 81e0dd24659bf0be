import type { ReportModel } from './model.js';
import { escapeHtml } from './template.js';
import { formatDuration } from '../core/duration.js';

const WIDTH = 560;
const HEIGHT = 150;
const COLORS: Record<string, string> = { passed: '#2e7d32', failed: '#c62828', aborted: '#ef6c00' };

/** This run's duration beside the earlier runs of the same runbook, against the RTO: is the team getting faster? */
export function trendSvg(model: ReportModel): string {
  const runs = model.record.trend;
  const rto = model.rto.targetMs;
  const top = Math.max(
    1,
    ...runs.map((r) => r.durationMs),
    rto > 0 && runs.some((r) => r.durationMs > rto * 0.5) ? rto : 0,
  );
  const plot = HEIGHT - 40;
  const slot = (WIDTH - 60) / Math.max(runs.length, 1);
  const bar = Math.min(36, slot * 0.7);
  const parts: string[] = [];
  runs.forEach((run, i) => {
    const h = Math.max(2, (run.durationMs / top) * plot);
    const x = 50 + i * slot + (slot - bar) / 2;
    parts.push(
      `<rect class="trend-bar" data-run="${escapeHtml(run.runId)}" data-current="${run.current}" x="${x.toFixed(1)}" y="${(10 + plot - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[run.status] ?? '#1565c0'}" opacity="${run.current ? 1 : 0.55}"><title>${escapeHtml(`${run.runId}: ${run.status}, ${run.duration}`)}</title></rect>`,
    );
    parts.push(
      `<text x="${(x + bar / 2).toFixed(1)}" y="${HEIGHT - 14}" class="small" text-anchor="middle">${escapeHtml(run.current ? 'this run' : run.startedAt.slice(5, 10))}</text>`,
    );
  });
  if (rto > 0 && rto <= top) {
    const y = 10 + plot - (rto / top) * plot;
    parts.push(
      `<line class="trend-rto" x1="45" y1="${y.toFixed(1)}" x2="${WIDTH - 5}" y2="${y.toFixed(1)}" stroke="#c62828" stroke-dasharray="5,3"/>`,
    );
    parts.push(
      `<text x="${WIDTH - 5}" y="${(y - 3).toFixed(1)}" class="small" text-anchor="end" fill="#c62828">RTO ${escapeHtml(model.rto.target)}</text>`,
    );
  }
  parts.push(`<text x="4" y="16" class="small">${escapeHtml(formatDuration(top))}</text>`);
  parts.push(`<line x1="45" y1="${10 + plot}" x2="${WIDTH - 5}" y2="${10 + plot}" stroke="#455a64"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" aria-label="Duration of this run beside earlier runs of the same runbook" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}"><style>.small{font:11px sans-serif;fill:#37474f}</style>${parts.join('')}</svg>`;
}

import type { ReportModel } from './model.js';
import { escapeHtml } from './template.js';
import { formatDuration } from '../core/duration.js';

const WIDTH = 860;
const LABEL = 240;
const ROW = 22;
const COLORS: Record<string, string> = {
  succeeded: '#2e7d32',
  failed: '#c62828',
  skipped: '#9e9e9e',
  aborted: '#ef6c00',
  running: '#1565c0',
  pending: '#bdbdbd',
};

/**
 * Steps on a time axis against the RTO budget. When the run used under 5 % of the budget the axis zooms to the run
 * (bars would be slivers) and the budget row says how much was used.
 */
export function timelineSvg(model: ReportModel): string {
  const steps = model.phases.flatMap((p) =>
    p.steps.filter((s) => s.status !== 'pending').map((s) => ({ ...s, phase: p.title })),
  );
  const rto = model.rto.targetMs;
  const span = Math.max(model.durationMs, 1);
  const zoomed = rto > 0 && span < rto * 0.05;
  const axisMax = zoomed || rto <= 0 ? span * 1.05 : Math.max(span, rto) * 1.02;
  const plot = WIDTH - LABEL - 20;
  const x = (ms: number) => LABEL + (Math.max(0, ms) / axisMax) * plot;
  const height = 70 + steps.length * ROW + 30;
  const parts: string[] = [];
  const used = rto > 0 ? Math.min(1, model.durationMs / rto) : 0;
  parts.push(`<text x="8" y="22" class="label">RTO budget ${escapeHtml(model.rto.target)}</text>`);
  parts.push(
    `<rect class="rto-budget" x="${LABEL}" y="10" width="${plot}" height="16" fill="#eceff1" stroke="#90a4ae"/>`,
  );
  parts.push(
    `<rect class="rto-used" x="${LABEL}" y="10" width="${(plot * used).toFixed(1)}" height="16" fill="${model.rto.met ? '#66bb6a' : '#ef5350'}"/>`,
  );
  parts.push(
    `<text x="${LABEL + 6}" y="22" class="small">${escapeHtml(`${model.duration} used (${model.rto.usedPercent}%) — ${model.rto.verdict}`)}</text>`,
  );
  steps.forEach((step, i) => {
    const y = 50 + i * ROW;
    const x0 = x(step.offsetMs);
    const w = Math.max(2, x(step.offsetMs + step.durationMs) - x0);
    parts.push(`<text x="8" y="${y + 13}" class="label">${escapeHtml(truncate(step.title, 34))}</text>`);
    parts.push(
      `<rect class="step-bar" data-step="${escapeHtml(step.id)}" data-status="${step.status}" x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="16" rx="2" fill="${COLORS[step.status] ?? '#607d8b'}"><title>${escapeHtml(`${step.phase} / ${step.title}: ${step.status}, ${step.duration}`)}</title></rect>`,
    );
  });
  const axisY = 50 + steps.length * ROW + 8;
  // Where the run stood still between a stop and its resume: hatched, labelled, and inside the RTO it used.
  for (const gap of model.interruptions.filter((i) => i.gapMs > 0)) {
    const x0 = x(gap.offsetMs);
    const w = Math.max(2, x(gap.offsetMs + gap.gapMs) - x0);
    parts.push(
      `<rect class="gap" x="${x0.toFixed(1)}" y="40" width="${w.toFixed(1)}" height="${axisY - 40}" fill="url(#gap)" stroke="#78909c" stroke-dasharray="3,2"><title>${escapeHtml(`stopped ${gap.gap}: ${gap.reason}`)}</title></rect>`,
    );
    parts.push(
      `<text class="small gap-label" x="${(x0 + 3).toFixed(1)}" y="${axisY - 4}">${escapeHtml(`gap ${gap.gap}`)}</text>`,
    );
  }
  parts.push(`<line x1="${LABEL}" y1="${axisY}" x2="${LABEL + plot}" y2="${axisY}" stroke="#455a64"/>`);
  for (let t = 0; t <= 4; t++) {
    const ms = (axisMax * t) / 4;
    parts.push(
      `<text x="${x(ms).toFixed(1)}" y="${axisY + 16}" class="small" text-anchor="middle">${escapeHtml(formatDuration(ms))}</text>`,
    );
  }
  if (rto > 0 && rto <= axisMax) {
    parts.push(
      `<line class="rto-line" x1="${x(rto).toFixed(1)}" y1="40" x2="${x(rto).toFixed(1)}" y2="${axisY}" stroke="#c62828" stroke-dasharray="5,3"/>`,
    );
    parts.push(
      `<text x="${(x(rto) - 4).toFixed(1)}" y="38" class="small" text-anchor="end" fill="#c62828">RTO ${escapeHtml(model.rto.target)}</text>`,
    );
  } else if (zoomed) {
    parts.push(
      `<text x="${LABEL + plot}" y="38" class="small" text-anchor="end">RTO ${escapeHtml(model.rto.target)} is off this scale</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" aria-label="Timeline of the run's steps against the RTO budget" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"><defs><pattern id="gap" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#cfd8dc"/></pattern></defs><style>.label{font:12px sans-serif;fill:#263238}.small{font:11px sans-serif;fill:#37474f}</style>${parts.join('')}</svg>`;
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

import { stepsOf, type RunState } from '../runbook/run-state.js';

/** Something that did not go as the runbook says, and who follows it up. */
export interface Deviation {
  stepId?: string;
  what: string;
  owner: string;
  followUp?: string;
}

/** A manual step's checklist as the operator left it. */
export interface ChecklistRecord {
  stepId: string;
  title: string;
  items: { item: string; ticked: boolean }[];
}

/**
 * The departures from the runbook the journal shows: a step's own (a checklist submitted incomplete), a step marked
 * done on resume, one that failed while the run went on, and an undo that was declined. Owned by the operator until
 * someone else takes them on (`pgdr report sign --follow-up`).
 */
export function deviationsOf(state: RunState, operator: string): Deviation[] {
  const out: Deviation[] = [];
  for (const step of stepsOf(state)) {
    if (typeof step.outputs.deviation === 'string' && step.outputs.deviation)
      out.push({ stepId: step.id, what: step.outputs.deviation, owner: operator });
    if (step.status === 'skipped' && step.reason)
      out.push({ stepId: step.id, what: `"${step.title}" did not do its work: ${step.reason}`, owner: operator });
    if (step.markedDone)
      out.push({
        stepId: step.id,
        what: `"${step.title}" was marked done on resume: pgdr did not see it finish`,
        owner: operator,
      });
    if (step.status === 'failed' && state.finished?.status === 'passed')
      out.push({
        stepId: step.id,
        what: `"${step.title}" failed and the run went on: ${step.error ?? ''}`,
        owner: operator,
      });
  }
  if (state.answers.undo === false)
    out.push({ what: 'Undo was declined: what the run switched on stayed on', owner: operator });
  const end = state.finished;
  if (end?.status === 'passed' && end.rtoMet === false)
    out.push({ what: `The RTO was missed: the run took ${Math.round(end.durationMs / 60_000)} min`, owner: operator });
  // Follow-ups the approver named when signing, each with its owner.
  for (const signoff of state.signoffs)
    for (const f of signoff.followUps ?? [])
      out.push({ what: f.what, owner: f.owner, followUp: `named by ${signoff.approver}` });
  return out;
}

export function checklistsOf(state: RunState): ChecklistRecord[] {
  return stepsOf(state)
    .filter((s) => s.action === 'manual' && Array.isArray(s.outputs.items))
    .map((s) => {
      const checked = Array.isArray(s.outputs.checked) ? (s.outputs.checked as unknown[]) : [];
      return {
        stepId: s.id,
        title: s.title,
        items: (s.outputs.items as unknown[]).map((item) => ({ item: String(item), ticked: checked.includes(item) })),
      };
    });
}

import { UsageError } from '../core/errors.js';
import { cronProblem } from '../config/cron.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A 5-field cron expression as a systemd OnCalendar= value, in UTC: "0 3 * * 0" → "Sun *-*-* 03:00:00 UTC". */
export function cronToOnCalendar(cron: string): string {
  const problem = cronProblem(cron);
  if (problem)
    throw new UsageError(
      `"${cron}" is not a cron expression cron accepts: ${problem}.`,
      'Use minute hour day-of-month month day-of-week, e.g. "0 2 * * *".',
    );
  const fields = cron.trim().split(/\s+/);
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  const time = `${field(hour, 0, true)}:${field(minute, 0, true)}:00`;
  const date = `*-${field(month, 1, false)}-${field(dom, 1, false)}`;
  const days = dow === '*' ? '' : `${weekdays(dow)} `;
  return `${days}${date} ${time} UTC`;
}

function field(text: string, start: number, pad: boolean): string {
  return text
    .split(',')
    .map((part) => {
      const step = /^(\*|\d+)\/(\d+)$/.exec(part);
      if (step) return `${step[1] === '*' ? start : step[1]}/${step[2]}`;
      const range = /^(\d+)-(\d+)$/.exec(part);
      if (range) return `${num(range[1]!, pad)}..${num(range[2]!, pad)}`;
      if (part === '*') return '*';
      if (/^\d+$/.test(part)) return num(part, pad);
      throw new UsageError(
        `The cron field "${text}" uses syntax pgdr cannot translate for systemd.`,
        'Use numbers, *, a-b ranges, lists and */n steps.',
      );
    })
    .join(',');
}

function num(text: string, pad: boolean): string {
  return pad ? text.padStart(2, '0') : text;
}

function weekdays(text: string): string {
  return text
    .split(',')
    .map((part) => {
      const range = /^(\d)-(\d)$/.exec(part);
      if (range) return `${day(range[1]!)}..${day(range[2]!)}`;
      if (/^\d$/.test(part)) return day(part);
      if (/^[a-z]{3}$/i.test(part)) return part[0]!.toUpperCase() + part.slice(1, 3).toLowerCase();
      throw new UsageError(
        `The day-of-week field "${text}" cannot be translated for systemd.`,
        'Use 0-7 (0 and 7 are Sunday), Mon..Sun names or a-b ranges.',
      );
    })
    .join(',');
}

function day(n: string): string {
  const name = DAYS[Number(n)];
  if (!name)
    throw new UsageError(`Day of week ${n} is out of range.`, 'Days of the week are 0-7, 0 and 7 being Sunday.');
  return name;
}

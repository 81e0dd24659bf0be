import { describe, expect, it } from 'vitest';
import { scanSqlTemplates } from './sql-template.js';

describe('SQL templates', () => {
  it('numbers the templates in the query and keeps the rest as written', () => {
    expect(scanSqlTemplates('select * from t where a = ${{ inputs.a }} and b = ${{ steps.q.outputs.b }}')).toEqual({
      text: 'select * from t where a = $1 and b = $2',
      sources: [' inputs.a ', ' steps.q.outputs.b '],
    });
  });

  it('finds a template PostgreSQL would read as text: quotes, E strings, identifiers, dollar quotes, comments', () => {
    for (const sql of [
      "select '${{ x }}'",
      "select 'it''s ${{ x }}'",
      "select E'\\' ${{ x }}'",
      'select "${{ x }}" from t',
      'select $$ ${{ x }} $$',
      'select $tag$ ${{ x }} $tag$',
      'select 1 -- ${{ x }}',
      'select 1 /* a /* nested */ ${{ x }} */',
    ])
      expect(scanSqlTemplates(sql).quoted, sql).toBe('${{ x }}');
  });

  it('reads past quotes and comments that close before the template', () => {
    for (const sql of [
      "select 'a''b', ${{ x }}",
      'select $$x$$, ${{ x }}',
      'select a$b, ${{ x }} from t',
      'select 1 /* c */ + ${{ x }}',
      'select 1 -- c\n + ${{ x }}',
    ]) {
      const scan = scanSqlTemplates(sql);
      expect(scan.sources, sql).toEqual([' x ']);
      expect(scan.quoted, sql).toBeUndefined();
    }
  });
});

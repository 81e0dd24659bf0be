import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { COMMANDS, commandNamed } from './command-table.js';
import { registerAll } from './command-modules.js';

describe('the command table behind pgdr --help', () => {
  it('lists exactly the commands the modules register, each with the module that registers it', async () => {
    const program = new Command('pgdr');
    await registerAll(program);
    expect(program.commands.map((c) => c.name()).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
  });

  it('finds the command named in the arguments, also after help', () => {
    expect(commandNamed(['--json', 'backups', 'list'])?.module).toBe('backup');
    expect(commandNamed(['help', 'drill'])?.module).toBe('run');
    expect(commandNamed(['--version'])).toBeUndefined();
    expect(commandNamed(['bakup'])).toBeUndefined();
  });
});

import { Command } from 'commander';
import { UsageError } from '../core/errors.js';

type Register = (program: Command) => Promise<void>;

interface Node {
  path: string;
  subcommands: string[];
  options: string[];
}

/** Every command path ('' for pgdr itself, 'backup verify', …) with its subcommands and flags. */
function walk(command: Command, path: string, out: Node[]): Node[] {
  const options = command.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => Boolean(f));
  const subcommands = command.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  out.push({
    path,
    subcommands: path === '' ? [...subcommands, 'help'] : subcommands,
    options: [...options, '--help'],
  });
  for (const c of command.commands) walk(c, path ? `${path} ${c.name()}` : c.name(), out);
  return out;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Shell functions shared by bash and zsh: subcommands, flags and argument words of a command path. */
function tables(nodes: Node[], runbooks: string[]): string {
  const cases = (pick: (n: Node) => string[]) =>
    nodes
      .filter((n) => pick(n).length)
      .map((n) => `    ${quote(n.path)}) echo ${quote(pick(n).join(' '))} ;;`)
      .join('\n');
  return [
    `_pgdr_subcommands() {\n  case "$1" in\n${cases((n) => n.subcommands)}\n  esac\n}`,
    `_pgdr_options() {\n  case "$1" in\n${cases((n) => n.options)}\n  esac\n}`,
    `_pgdr_arguments() {\n  case "$1" in\n    'run'|'drill'|'runbooks show') echo ${quote(runbooks.join(' '))} ;;\n    'backup') echo 'full schema tables' ;;\n    'completion') echo 'bash zsh' ;;\n    'help') _pgdr_subcommands '' ;;\n  esac\n}`,
    // The command path so far: the words that name a subcommand of the path before them.
    `_pgdr_path() {\n  local cmdpath='' w\n  for w in "$@"; do\n    case "$w" in -*) continue ;; esac\n    case " $(_pgdr_subcommands "$cmdpath") " in *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w" ;; esac\n  done\n  echo "$cmdpath"\n}`,
  ].join('\n\n');
}

const BASH = `_pgdr() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmdpath
  cmdpath="$(_pgdr_path "\${COMP_WORDS[@]:1:COMP_CWORD-1}")"
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_pgdr_options "$cmdpath")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_pgdr_subcommands "$cmdpath") $(_pgdr_arguments "$cmdpath")" -- "$cur"))
  fi
}
complete -o default -F _pgdr pgdr`;

const ZSH = `_pgdr() {
  local cmdpath
  cmdpath="$(_pgdr_path "\${(@)words[2,CURRENT-1]}")"
  if [[ "\${words[CURRENT]}" == -* ]]; then
    compadd -- \${=$(_pgdr_options "$cmdpath")}
  else
    compadd -- \${=$(_pgdr_subcommands "$cmdpath")} \${=$(_pgdr_arguments "$cmdpath")}
    _files
  fi
}
if (( $+functions[compdef] )); then compdef _pgdr pgdr; fi`;

/** The completion script for a shell, from the real command tree and the shipped runbooks. */
export async function completionScript(shell: string, registerAll: Register): Promise<string> {
  if (shell !== 'bash' && shell !== 'zsh')
    throw new UsageError(`No completion for "${shell}".`, 'pgdr completion bash, or pgdr completion zsh.');
  const program = new Command('pgdr').option('-V, --version').enablePositionalOptions();
  await registerAll(program);
  const { shippedRunbookFiles } = await import('../runbook/library.js');
  const runbooks = shippedRunbookFiles().map((f) => f.replace(/^.*\//, '').replace(/\.ya?ml$/, ''));
  const header =
    shell === 'bash'
      ? '# pgdr completion for bash: eval "$(pgdr completion bash)" in ~/.bashrc, or save it as /etc/bash_completion.d/pgdr'
      : '#compdef pgdr\n# pgdr completion for zsh: source <(pgdr completion zsh) in ~/.zshrc after compinit, or save it as _pgdr on $fpath';
  return `${header}\n\n${tables(walk(program, '', []), runbooks)}\n\n${shell === 'bash' ? BASH : ZSH}\n`;
}

/** `registerAll` registers every command (completion walks the whole tree); passed in, as it imports this module. */
export function registerCompletionCommand(program: Command, registerAll: Register): void {
  program
    .command('completion')
    .description('Print a shell completion script (commands, subcommands, flags, runbook ids).')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      '\nExamples:\n  eval "$(pgdr completion bash)"           # in ~/.bashrc\n  source <(pgdr completion zsh)            # in ~/.zshrc, after compinit',
    )
    .action(async (shell: string) => {
      process.stdout.write(await completionScript(shell, registerAll));
    });
}

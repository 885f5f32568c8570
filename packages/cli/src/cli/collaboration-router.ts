/** `--router collaboration`: train and eval then take the collaboration commands' own options. */
export const wantsCollaboration = (args: readonly string[]): boolean =>
  args.some((a, i) => a === '--router=collaboration' || (a === '--router' && args[i + 1] === 'collaboration'));

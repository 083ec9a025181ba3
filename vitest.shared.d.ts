export declare const workspaceAliases: Record<string, string>;
/**
 * The shared fixtures: `../shared/fixtures` beside the repository, found by walking up,
 * so that a git worktree nested deeper (e.g. `wt/<name>/`) finds them too.
 */
export declare const fixturesDir: string;
//# sourceMappingURL=vitest.shared.d.ts.map
import { requireHarborCron, requireRepositoryPattern, requireTagPattern } from './setup-validation';
import { PropContext, requireInteger } from '../core/validate';

/** Options shared by every `TagRetention` rule. */
export interface TagRetentionOptions {
  /**
   * Tags the rule applies to: a doublestar pattern such as `v*`, `**` or `{latest,stable}`
   * (letters, digits and any of `._-*?{},`).
   *
   * @default '**' (every tag)
   */
  readonly tagPattern?: string;

  /**
   * Repositories of the project the rule applies to, as a doublestar pattern over the repository
   * path inside the project, e.g. `tinyllama-*` or `team-a/**`.
   *
   * @default '**' (every repository)
   */
  readonly repositoryPattern?: string;

  /**
   * When Harbor runs the policy: a 6-field cron expression whose first field (seconds) is `0`,
   * as Harbor requires, e.g. `0 0 3 * * *` for 03:00 every day.
   *
   * @default '0 0 0 * * *' (daily at midnight)
   */
  readonly cron?: string;
}

/** Harbor's retention templates (H src/pkg/retention/policy/rule/*): the parameter key is the template id. */
const TEMPLATES = {
  latestPushed: 'latestPushedK',
  latestPulled: 'latestPulledN',
  pushedWithinDays: 'nDaysSinceLastPush',
  pulledWithinDays: 'nDaysSinceLastPull',
} as const;

/** Harbor rejects rule parameters of 32767 (MaxInt16) and more. */
const MAX_PARAMETER = 32766;

/** Placeholder for the project id in a rendered policy: harbor-setup.sh substitutes it. */
const PROJECT_ID_PLACEHOLDER = '@PROJECT_ID@';

/**
 * A tag retention policy of one rule for a Harbor project. Harbor runs it on its schedule and
 * deletes, in the repositories the rule selects, every artifact the rule does not retain: choose
 * the patterns with care. The setup Job creates the policy only when the project has none (a
 * project has at most one), so a policy changed in the UI is left alone.
 */
export class TagRetention {
  /**
   * Retain the `count` most recently pushed artifacts matching the patterns.
   *
   * @param count 1 to 32766
   * @param options patterns and schedule
   */
  public static keepLatestPushed(count: number, options?: TagRetentionOptions): TagRetention {
    return new TagRetention(TEMPLATES.latestPushed, 'keepLatestPushed', count, options ?? {});
  }

  /**
   * Retain the `count` most recently pulled artifacts matching the patterns.
   *
   * @param count 1 to 32766
   * @param options patterns and schedule
   */
  public static keepLatestPulled(count: number, options?: TagRetentionOptions): TagRetention {
    return new TagRetention(TEMPLATES.latestPulled, 'keepLatestPulled', count, options ?? {});
  }

  /**
   * Retain the artifacts matching the patterns that were pushed within the last `days` days.
   *
   * @param days 1 to 32766
   * @param options patterns and schedule
   */
  public static keepPushedWithinDays(days: number, options?: TagRetentionOptions): TagRetention {
    return new TagRetention(TEMPLATES.pushedWithinDays, 'keepPushedWithinDays', days, options ?? {});
  }

  /**
   * Retain the artifacts matching the patterns that were pulled within the last `days` days.
   *
   * @param days 1 to 32766
   * @param options patterns and schedule
   */
  public static keepPulledWithinDays(days: number, options?: TagRetentionOptions): TagRetention {
    return new TagRetention(TEMPLATES.pulledWithinDays, 'keepPulledWithinDays', days, options ?? {});
  }

  /** Harbor's template id, e.g. `latestPushedK`. */
  public readonly template: string;
  /** The template's parameter: a count or a number of days. */
  public readonly parameter: number;
  /** Tag doublestar pattern. */
  public readonly tagPattern: string;
  /** Repository doublestar pattern. */
  public readonly repositoryPattern: string;
  /** Schedule, 6-field cron. */
  public readonly cron: string;

  private constructor(template: string, factory: string, parameter: number, options: TagRetentionOptions) {
    const ctx = (prop: string): PropContext => ({ construct: 'TagRetention', prop: `${factory}.${prop}` });
    this.template = template;
    this.parameter = requireInteger(ctx(template === TEMPLATES.latestPushed || template === TEMPLATES.latestPulled ? 'count' : 'days'), parameter, 1, MAX_PARAMETER);
    this.tagPattern = requireTagPattern(ctx('tagPattern'), options.tagPattern ?? '**');
    this.repositoryPattern = requireRepositoryPattern(ctx('repositoryPattern'), options.repositoryPattern ?? '**');
    this.cron = requireHarborCron(ctx('cron'), options.cron ?? '0 0 0 * * *');
  }

  /**
   * The `POST /retentions` body, with `@PROJECT_ID@` as the scope's project id.
   * @internal
   */
  public _policyBody(): string {
    const body = {
      algorithm: 'or',
      rules: [{
        disabled: false,
        action: 'retain',
        template: this.template,
        params: { [this.template]: this.parameter },
        tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: this.tagPattern }],
        scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: this.repositoryPattern }] },
      }],
      trigger: { kind: 'Schedule', settings: { cron: this.cron } },
      scope: { level: 'project', ref: PROJECT_ID_PLACEHOLDER },
    };
    return JSON.stringify(body).replace(`"${PROJECT_ID_PLACEHOLDER}"`, PROJECT_ID_PLACEHOLDER);
  }

  /** The rule in words, for documentation and errors. */
  public toString(): string {
    return `${this.template}=${this.parameter} tags ${this.tagPattern} in ${this.repositoryPattern} (${this.cron})`;
  }
}

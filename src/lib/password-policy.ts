import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * One password rule for every path that sets a password: the admin's account form, "change my password", the CLI's
 * create-user and LINSHENG_ADMIN_PASSWORD. Length 10–200, and zxcvbn-ts must rate it 3 or more (about 10^8 guesses):
 * zxcvbn-ts is maintained, ships its own lists of common passwords, names and keyboard walks, and also sees
 * `password123`, `qwertyuiop`, dates and repeats that a plain list would not, so there is no hand-made list here.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;
const MIN_SCORE = 3;

export const PASSWORD_MESSAGES = {
  tooShort: `密码至少 ${PASSWORD_MIN} 位`,
  tooLong: `密码最多 ${PASSWORD_MAX} 位`,
  tooCommon: '这个密码太常见或太容易猜到（如常用密码、键盘连续键、重复字符、用户名），请换一个更长、更不规则的密码，例如几个不相关的词加数字。',
};

let factory: ZxcvbnFactory | undefined;
// Loaded and built on first use: the dictionaries cost about 0.1 s of CPU, which start-up and the CLI need not pay.
function checker(): ZxcvbnFactory {
  if (!factory) {
    const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
    const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
    factory = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  }
  return factory;
}

/** The reason this password is refused (Chinese, for the form), or null when it is acceptable. */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.length < PASSWORD_MIN) return PASSWORD_MESSAGES.tooShort;
  if (password.length > PASSWORD_MAX) return PASSWORD_MESSAGES.tooLong;
  // Past 100 characters a password is not guessable by any list, and zxcvbn's matching grows with the length.
  if (password.length > 100) return null;
  const inputs = [...userInputs.filter(Boolean), 'linsheng', '邻声', 'admin'];
  return checker().check(password, inputs).score >= MIN_SCORE ? null : PASSWORD_MESSAGES.tooCommon;
}

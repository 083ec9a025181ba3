import { OptionError, redactHref } from '@pyramids/core';
import type { Command } from 'commander';
import { addSignerOption, createSignerFromEnvironment, signerIds } from '../signer-option.js';

/**
 * `pyramids sign HREF --signer NAME`: prints the href as the signer rewrites it
 * (a SAS token appended, `s3://` turned into the HTTPS URL). Signers that sign
 * with request headers leave the href as it is, and say so on stderr.
 */
export function registerSignCommand(program: Command): void {
  const command = program
    .command('sign')
    .description(
      'print an href signed for reading (SAS token, s3:// → HTTPS URL); the output carries the credential',
    )
    .argument('<href>', 'href to sign (https://, s3://)');
  addSignerOption(command).action(async (href: string, options: { signer?: string }) => {
    if (!options.signer)
      throw new OptionError(`pyramids sign needs --signer NAME; one of ${signerIds().join(', ')}`);
    const signer = createSignerFromEnvironment(options.signer, { targets: [href] });
    if (!signer.matches(href)) {
      process.stderr.write(
        `pyramids: signer '${signer.id}' does not handle ${redactHref(href)}; printed unchanged\n`,
      );
    } else if (!signer.signHref) {
      process.stderr.write(
        `pyramids: signer '${signer.id}' signs with request headers, not in the href; printed unchanged\n`,
      );
    }
    const signed = signer.signHref && signer.matches(href) ? await signer.signHref(href) : href;
    process.stdout.write(`${signed}\n`);
  });
}

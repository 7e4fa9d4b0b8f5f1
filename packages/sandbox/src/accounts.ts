import { newAccount, type Account, type SandboxState } from './state/account';

/** Adds an account with an administrator user whose long-term keys the SDK can use; returns its keys. */
export function addAccount(
  state: SandboxState,
  accountId: string,
): { account: Account; accessKeyId: string; secretAccessKey: string } {
  const account = state.accounts.get(accountId) ?? newAccount(accountId);
  state.accounts.set(accountId, account);
  // Dummy keys, recognisable and unique per account: AKIA + 16 characters.
  const accessKeyId = `AKIASANDBOX${accountId.slice(-5)}`;
  const secretAccessKey = `sandbox-secret-${accountId}`;
  state.credentials.set(accessKeyId, {
    accessKeyId,
    secretAccessKey,
    accountId,
    principalArn: `arn:aws:iam::${accountId}:user/sandbox-admin`,
  });
  return { account, accessKeyId, secretAccessKey };
}

/**
 * The long-term keys of an account's `sandbox-admin` user (what `addAccount` made), for clients and the printed env;
 * undefined when the account does not exist.
 */
export function adminCredentials(
  state: SandboxState,
  accountId: string,
): { accessKeyId: string; secretAccessKey: string } | undefined {
  for (const credential of state.credentials.values()) {
    if (
      credential.accountId === accountId &&
      !credential.sessionToken &&
      credential.principalArn === `arn:aws:iam::${accountId}:user/sandbox-admin`
    ) {
      return { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey };
    }
  }
  return undefined;
}

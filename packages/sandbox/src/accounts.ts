import { newAccount, type Account, type SandboxState } from './state/account';

/** Adds an account with an administrator user whose long-term keys the SDK can use; returns its keys. */
export function addAccount(state: SandboxState, accountId: string): { account: Account; accessKeyId: string; secretAccessKey: string } {
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

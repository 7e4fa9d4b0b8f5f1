import type { VerificationState } from '@efs-node-identity/backstage-plugin-common';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import WarningIcon from '@material-ui/icons/Warning';
import type { ReactElement } from 'react';

/** Words for each state: the icon and colour repeat them, never replace them. */
export const STATE_TEXT: Record<VerificationState, string> = {
  ok: 'Healthy',
  warnings: 'Healthy, with warnings',
  failing: 'Failing',
  unverifiable: 'Unknown: could not verify',
  'not-verified': 'Unknown: not verified yet',
};

const ICON: Record<'ok' | 'warning' | 'failing' | 'unknown', ReactElement> = {
  ok: <CheckCircleIcon fontSize="small" style={{ color: '#1b7f3b' }} aria-hidden="true" />,
  warning: <WarningIcon fontSize="small" style={{ color: '#a15c00' }} aria-hidden="true" />,
  failing: <ErrorIcon fontSize="small" style={{ color: '#c62828' }} aria-hidden="true" />,
  unknown: <HelpIcon fontSize="small" style={{ color: '#5f6368' }} aria-hidden="true" />,
};

/** ok, warning, failing or unknown, whatever the source of the state. */
export function toneOf(state: VerificationState | 'ok' | 'warning' | 'failing' | 'unknown') {
  if (state === 'ok') return 'ok' as const;
  if (state === 'warnings' || state === 'warning') return 'warning' as const;
  if (state === 'failing') return 'failing' as const;
  return 'unknown' as const;
}

/** An icon and a text; the text alone carries the meaning (screen readers, colour blindness, print). */
export function StateMark(props: { tone: 'ok' | 'warning' | 'failing' | 'unknown'; text: string }) {
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
      {ICON[props.tone]}
      <span>{props.text}</span>
    </span>
  );
}

export function StatusLabel(props: { state: VerificationState }) {
  return <StateMark tone={toneOf(props.state)} text={STATE_TEXT[props.state]} />;
}

/** `2026-11-26 13:08 UTC`: the same text for every viewer, whatever their time zone. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

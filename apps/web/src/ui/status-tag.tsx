import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

// Dark tones only: every one keeps 4.5:1 contrast with its light background.
const TONES: Record<string, { color: string; background: string }> = {
  good: { color: '#135200', background: '#f6ffed' },
  wait: { color: '#873800', background: '#fff7e6' },
  bad: { color: '#820014', background: '#fff1f0' },
  plain: { color: '#262626', background: '#fafafa' },
};

const TONE_OF: Record<string, keyof typeof TONES> = {
  paid: 'good',
  shipped: 'good',
  delivered: 'good',
  completed: 'good',
  verified: 'good',
  active: 'good',
  succeeded: 'good',
  approved: 'good',
  valid: 'good',
  settled: 'good',
  sent: 'wait',
  reserved: 'wait',
  in_transit: 'wait',
  rejected: 'bad',
  revoked: 'bad',
  expired: 'bad',
  exited: 'good',
  pending_payment: 'wait',
  pending: 'wait',
  monitored_edge: 'wait',
  monitored_unstable: 'bad',
  cancelled: 'bad',
  refunded: 'bad',
  suspended: 'bad',
  failed: 'bad',
};

/** A state as a tag, in words of the current language. */
export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  const tone = TONES[TONE_OF[status] ?? 'plain'];
  return (
    <Tag
      style={{ color: tone.color, background: tone.background, borderColor: tone.color }}
      data-status={status}
    >
      {t(`status.${status}`, { defaultValue: status })}
    </Tag>
  );
}

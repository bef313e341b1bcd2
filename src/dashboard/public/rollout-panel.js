import { badge, fmt, h, timeEl } from './dom.js';
import { confusionMatrix } from './model-views.js';

/**
 * GET /api/v1/rollout: both models side by side on the confirmed cases they share, progress toward
 * rollout.minCases, the McNemar p-value and the server's verdict so far; while one is under way,
 * buttons to promote the challenger now (with a reason) or abort. The rule is the server's: the
 * page shows its verdict, it does not judge.
 */
export function rolloutView(doc, nameOf, { onPromote, onAbort, busy }) {
  if (!doc) return h('p', { class: 'muted' }, 'Loading…');
  const r = doc.rollout;
  if (!r) {
    const how = doc.strategy === 'immediate' ? 'rollout.strategy is immediate: a model that passes the promotion gate serves at once.' : `rollout.strategy is ${doc.strategy}: the next model that passes the promotion gate becomes the challenger.`;
    return h('p', { class: 'muted', id: 'rollout-empty' }, `No rollout yet. ${how}`);
  }
  const { shared } = r;
  const progress = Math.min(1, shared.positives / shared.minCases);
  const side = (role, p) =>
    h(
      'div',
      { class: 'rollout-side', dataset: { role } },
      h('h3', null, `${role} v${p.version}`),
      h('p', { class: 'rollout-value' }, h('strong', null, fmt.score(p.value)), ` ${r.metric}`),
      confusionMatrix({ labels: r.labels, confusionMatrix: p.confusionMatrix, positive: doc.positive }, nameOf, { id: `rollout-cm-${role}`, where: 'on the shared cases', compact: true }),
    );
  const state = r.open ? badge('under way', 'warn') : badge(r.outcome ?? 'ended', r.outcome === 'promoted' || r.outcome === 'forced' ? 'ok' : 'bad');
  const kind = r.strategy === 'canary' ? `canary ${r.canaryPercent} %` : 'shadow';
  return [
    h('p', { id: 'rollout-head' }, state, ` Rollout #${r.id} (${kind}): v${r.challengerVersion} challenges v${r.championVersion}, started `, timeEl(r.startedAt), r.open ? [', ends without promotion by ', timeEl(r.endsBy)] : [', ended ', timeEl(r.endedAt)]),
    h(
      'p',
      { class: 'live-counts', id: 'rollout-progress' },
      h('strong', null, String(shared.positives)),
      ` of ${shared.minCases} confirmed positive cases shared (rollout.minCases) · ${shared.cases} shared cases in all`,
    ),
    h('div', { class: 'split-bar', 'aria-hidden': 'true' }, h('span', { class: 'split-confirmed', style: { '--share': String(progress) } })),
    h('div', { class: 'rollout-sides' }, side('champion', r.champion), side('challenger', r.challenger)),
    h('p', { class: 'help', id: 'rollout-mcnemar' }, `Exact McNemar p = ${fmt.p(r.mcnemar.pValue)}: ${r.mcnemar.b} shared cases only the champion got right, ${r.mcnemar.c} only the challenger.`),
    h('p', { id: 'rollout-verdict' }, r.open ? `So far: ${r.verdict.reason}` : (r.reason ?? '')),
    r.open
      ? h(
          'div',
          { class: 'button-row' },
          h('button', { type: 'button', class: 'small-button', id: 'rollout-promote', disabled: busy, title: 'POST /api/v1/rollout/promote', onclick: () => onPromote(r) }, `Promote v${r.challengerVersion} now`),
          h('button', { type: 'button', class: 'small-button', id: 'rollout-abort', disabled: busy, title: 'POST /api/v1/rollout/abort', onclick: () => onAbort(r) }, 'Abort rollout'),
        )
      : null,
  ];
}

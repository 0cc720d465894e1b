/**
 * What every game page shares: the room header (code, invite link, connection, spectators, leave),
 * the players list with host controls (kick, make host), the host's options and start/rematch
 * buttons, the quick-match countdown, and readable `error` replies.
 */
import { h, render, countdown, notify, copyText, field, checkbox, plural, lockIcon, type Child } from '../dom';
import { roomHash, type AppContext } from '../routes';
import { gameTitle, phaseLabel } from '../games';
import { describeCode } from '../errors';
import { entries, type AnyGame, type GameTypes, type PayloadArgs, type PlayerOf, type SendType } from '../types';
import type { RoomSession } from '../session';
import type { PlayerView } from '../../../protocol/state';

export interface ConfigField {
  key: string;
  label: string;
  type: 'number' | 'checkbox';
  min?: number;
  max?: number;
}

export interface ShellOptions<G extends GameTypes> {
  /** Extra bits shown next to each player's name (score, GM badge…). */
  playerExtras?(player: PlayerOf<G['state']>, state: G['state']): Child;
  /** Game options the host may change while waiting (besides seats, turn time, privacy). */
  configFields?: ConfigField[];
  /** Whether the room has a waiting phase with `start` (tabletop sessions do not). */
  startable?: boolean;
  /** Seat range of the game, for the options form. */
  seatRange?: [number, number];
}

/** Two-step buttons ("Kick" → "Kick Ann?"): keys armed until a time. */
const armed = new Map<string, number>();

/** A button that asks for a second click before `action` runs. */
export function confirmButton(key: string, label: string, confirmLabel: string, action: () => void, extra: Record<string, string> = {}): HTMLButtonElement {
  const isArmed = (armed.get(key) ?? 0) > Date.now();
  const button = h('button', { class: isArmed ? 'danger armed' : 'quiet', 'data-key': key, ...extra }, isArmed ? confirmLabel : label);
  button.addEventListener('click', () => {
    if ((armed.get(key) ?? 0) > Date.now()) {
      armed.delete(key);
      action();
    } else {
      armed.set(key, Date.now() + 4000);
      button.textContent = confirmLabel;
      button.className = 'danger armed';
      setTimeout(() => {
        if (button.isConnected && (armed.get(key) ?? 0) <= Date.now()) {
          button.textContent = label;
          button.className = 'quiet';
        }
      }, 4100);
    }
  });
  return button;
}

export class RoomShell<G extends GameTypes = AnyGame> {
  readonly root: HTMLElement;
  /** The game's own area. */
  readonly main: HTMLElement;
  /** Extra side content of the game (below the players). */
  readonly sideExtra: HTMLElement;
  private readonly head: HTMLElement;
  private readonly banner: HTMLElement;
  private readonly players: HTMLElement;
  private readonly hostPanel: HTMLElement;
  private configForm?: HTMLFormElement;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly rs: RoomSession<G>,
    private readonly options: ShellOptions<G> = {},
  ) {
    this.head = h('header', { class: 'room-head' });
    this.banner = h('div', { class: 'banner', role: 'status', 'data-testid': 'connection-banner', hidden: true });
    this.main = h('div', { class: 'room-main' });
    this.players = h('ul', { class: 'players', 'data-testid': 'players', 'aria-label': 'Players' });
    this.hostPanel = h('div', { class: 'host-panel' });
    this.sideExtra = h('div', { class: 'side-extra' });
    this.root = h(
      'section',
      { class: `room room-${rs.game}`, 'data-testid': 'room', 'data-code': rs.code },
      this.head,
      this.banner,
      h(
        'div',
        { class: 'room-grid' },
        this.main,
        h('aside', { class: 'room-side', 'aria-label': 'Players and room' }, h('h2', { class: 'side-title' }, 'Players'), this.players, this.hostPanel, this.sideExtra),
      ),
    );
    this.unsubscribe.push(
      rs.on('error', (error) => notify(describeCode(error.code, error.message))),
      rs.on('turn_warning', (warning) => {
        if (warning.userId === rs.me) notify(`Hurry up: ${warning.secondsLeft} s left in your turn!`, 'warning', 4000);
      }),
    );
  }

  destroy(): void {
    this.unsubscribe.forEach((stop) => stop());
  }

  /** Sends and reports nothing: errors come back as `error` messages (shown as notices). */
  send<K extends SendType<G>>(type: K, ...payload: PayloadArgs<G, K>): void {
    this.rs.send(type, ...payload);
  }

  update(): void {
    const state = this.rs.state;
    if (!state?.config) return;
    this.renderHead(state);
    this.renderBanner();
    this.renderPlayers(state);
    this.renderHostPanel(state);
  }

  private renderHead(state: G['state']): void {
    const rs = this.rs;
    const link = `${window.location.href.split('#')[0]}${roomHash(rs.code)}`;
    const copy = h('button', { class: 'quiet', 'data-key': 'copy-link', 'data-testid': 'copy-link', title: link }, 'Copy invite link');
    copy.addEventListener('click', async () => {
      const ok = await copyText(link);
      notify(ok ? 'Invite link copied.' : `Invite link: ${link}`, 'info', ok ? 2500 : 15000);
    });
    const playing = state.phase === 'playing' && rs.isPlayer && rs.game !== 'tabletop';
    const leave = playing
      ? confirmButton('leave', 'Leave', 'Leave and forfeit?', () => void this.leave(), { 'data-testid': 'leave' })
      : h('button', { class: 'quiet', 'data-key': 'leave', 'data-testid': 'leave', onclick: () => void this.leave() }, 'Leave');
    render(
      this.head,
      h(
        'div',
        { class: 'room-id' },
        h('h1', null, gameTitle(rs.game)),
        h('span', { class: 'code', 'data-testid': 'room-code', 'aria-label': `room code ${rs.code}` }, rs.code),
        state.config.hasPassword ? lockIcon('password protected') : null,
        state.config.private ? h('span', { class: 'badge' }, 'private') : null,
        h('span', { class: `phase phase-${state.phase}`, 'data-testid': 'room-phase' }, phaseLabel(state.phase, rs.game)),
      ),
      h(
        'div',
        { class: 'room-actions' },
        h('span', { class: `status status-${rs.status}`, 'data-testid': 'connection-status' }, rs.status === 'connected' ? 'online' : rs.status === 'reconnecting' ? 'reconnecting…' : 'offline'),
        h('span', { class: 'muted', 'data-testid': 'spectator-count' }, `${plural(state.spectatorCount, 'spectator')}`),
        rs.isPlayer ? null : h('span', { class: 'badge watch', 'data-testid': 'spectating' }, 'Watching'),
        copy,
        leave,
      ),
    );
  }

  private renderBanner(): void {
    const reconnecting = this.rs.status === 'reconnecting';
    this.banner.hidden = !reconnecting;
    this.banner.textContent = reconnecting ? 'Connection lost — reconnecting… Your seat is kept.' : '';
  }

  private async leave(): Promise<void> {
    await this.rs.leave();
    this.ctx.navigate('#/');
  }

  private renderPlayers(state: G['state']): void {
    const rs = this.rs;
    const players = entries<PlayerView>(state.players)
      .map(([, player]) => player)
      .sort((a, b) => a.seat - b.seat);
    render(
      this.players,
      players.map((player) => {
        const me = player.id === rs.me;
        const actions =
          rs.isHost && !me
            ? h(
                'span',
                { class: 'player-actions' },
                player.connected ? h('button', { class: 'quiet small', 'data-key': `host-${player.id}`, onclick: () => this.send('transfer_host', { userId: player.id }) }, 'Make host') : null,
                confirmButton(`kick-${player.id}`, 'Kick', `Kick ${player.name}?`, () => this.send('kick', { userId: player.id }), { 'data-testid': `kick-${player.name}` }),
              )
            : null;
        return h(
          'li',
          {
            class: `player${me ? ' me' : ''}${state.turn === player.id ? ' turn' : ''}${player.connected ? '' : ' away'}`,
            'data-testid': 'player',
            'data-player': player.name,
            'data-connected': player.connected ? 'yes' : 'no',
          },
          h('span', { class: `dot ${player.connected ? 'on' : 'off'}`, role: 'img', 'aria-label': player.connected ? 'connected' : 'disconnected', title: player.connected ? 'connected' : 'disconnected' }),
          h('span', { class: 'player-name' }, player.name, me ? h('span', { class: 'muted' }, ' (you)') : null),
          player.isHost ? h('span', { class: 'badge host', title: 'Host' }, 'host') : null,
          player.connected ? null : h('span', { class: 'badge away' }, 'away'),
          this.options.playerExtras?.(player as PlayerOf<G['state']>, state),
          actions,
        );
      }),
    );
  }

  private renderHostPanel(state: G['state']): void {
    const rs = this.rs;
    const parts: Child[] = [];
    if (this.options.startable !== false && state.phase === 'waiting') {
      const seated = state.players.size;
      const enough = seated >= state.config.minPlayers;
      if (state.startsAt > 0) parts.push(h('p', { class: 'countdown-line', 'data-testid': 'quick-countdown' }, 'Match starts in ', countdown(state.startsAt)));
      if (rs.isHost) {
        parts.push(
          h(
            'button',
            { class: 'primary big', 'data-key': 'start', 'data-testid': 'start', disabled: !enough, onclick: () => this.send('start') },
            'Start the match',
          ),
          enough ? null : h('p', { class: 'hint' }, `Waiting for players: ${seated}/${state.config.minPlayers} needed to start.`),
        );
      } else if (rs.isPlayer) {
        parts.push(h('p', { class: 'hint', 'data-testid': 'waiting-host' }, state.startsAt > 0 ? 'Get ready!' : 'Waiting for the host to start the match…'));
      }
    }
    if (this.options.startable !== false && state.phase === 'finished' && rs.isHost) {
      parts.push(h('button', { class: 'primary big', 'data-key': 'rematch', 'data-testid': 'rematch', onclick: () => this.send('rematch') }, 'Rematch'));
    } else if (state.phase === 'finished' && rs.isPlayer) {
      parts.push(h('p', { class: 'hint' }, 'The host can start a rematch.'));
    }
    render(this.hostPanel, parts);

    // The options form is built once per waiting phase, so typing is never interrupted.
    const wantForm = this.options.startable !== false && rs.isHost && state.phase === 'waiting';
    if (wantForm && !this.configForm) {
      this.configForm = this.buildConfigForm(state);
      this.hostPanel.after(this.configForm);
    } else if (!wantForm && this.configForm) {
      this.configForm.remove();
      this.configForm = undefined;
    }
  }

  private buildConfigForm(state: G['state']): HTMLFormElement {
    const config = state.config as unknown as Record<string, number | boolean>;
    const [low, high] = this.options.seatRange ?? [2, 6];
    const fields: ConfigField[] = [
      ...(low !== high
        ? [
            { key: 'maxPlayers', label: 'Seats', type: 'number', min: low, max: high } as ConfigField,
            { key: 'minPlayers', label: 'Players needed', type: 'number', min: low, max: high } as ConfigField,
          ]
        : []),
      { key: 'turnSeconds', label: 'Turn time (s)', type: 'number', min: 2, max: 600 },
      ...(this.options.configFields ?? []),
      { key: 'private', label: 'Private (not listed)', type: 'checkbox' },
      { key: 'allowSpectators', label: 'Allow spectators', type: 'checkbox' },
    ];
    const inputs = new Map<string, HTMLInputElement>();
    const controls = fields.map((spec) => {
      const input =
        spec.type === 'checkbox'
          ? h('input', { type: 'checkbox', name: spec.key, checked: Boolean(config[spec.key]) })
          : h('input', { type: 'number', name: spec.key, min: spec.min ?? null, max: spec.max ?? null, value: Number(config[spec.key]), inputmode: 'numeric' });
      inputs.set(spec.key, input);
      return spec.type === 'checkbox' ? checkbox(spec.label, input) : field(spec.label, input);
    });
    const password = h('input', { type: 'password', name: 'password', maxlength: 64, autocomplete: 'new-password', placeholder: state.config.hasPassword ? 'unchanged' : 'none' });
    const removePassword = h('input', { type: 'checkbox', name: 'removePassword' });
    const form = h(
      'form',
      { class: 'config', 'aria-label': 'Room options' },
      h('h3', null, 'Options'),
      h('div', { class: 'grid-2' }, controls.filter((_, i) => fields[i].type === 'number')),
      controls.filter((_, i) => fields[i].type === 'checkbox'),
      field('New password', password),
      state.config.hasPassword ? checkbox('Remove the password', removePassword) : null,
      h('button', { type: 'submit' }, 'Apply options'),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const changes: Record<string, unknown> = {};
      const current = this.rs.state.config as unknown as Record<string, number | boolean>;
      for (const spec of fields) {
        const input = inputs.get(spec.key)!;
        const value = spec.type === 'checkbox' ? input.checked : Number(input.value);
        if (value !== current[spec.key] && !(spec.type === 'number' && Number.isNaN(value))) changes[spec.key] = value;
      }
      if (removePassword.checked) changes.password = null;
      else if (password.value) changes.password = password.value;
      if (Object.keys(changes).length === 0) return notify('Nothing to change.', 'info', 2500);
      this.send('configure', changes);
      if (typeof changes.password === 'string') this.ctx.session.rememberPassword(this.rs.code, changes.password);
      password.value = '';
      notify('Options sent.', 'info', 2500);
    });
    return form;
  }
}

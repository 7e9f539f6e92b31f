import { ref } from 'vue';

export type Chime = 'new' | 'modified' | 'cancelled';

/** Tone patterns a cook tells apart without looking: bright for new, insistent for changed, low for cancelled. */
const PATTERNS: Record<Chime, Array<[frequency: number, durationS: number]>> = {
  new: [
    [880, 0.15],
    [1175, 0.25],
  ],
  modified: [
    [660, 0.12],
    [660, 0.12],
    [660, 0.12],
  ],
  cancelled: [
    [330, 0.35],
    [220, 0.5],
  ],
};

/**
 * Sounds through Web Audio (no sound files to ship). Browsers allow audio only after a touch or a
 * key, so the board asks for one tap; until then `enabled` is false and the board says so.
 */
export function useChime() {
  const enabled = ref(false);
  let context: AudioContext | undefined;

  function enable(): void {
    if (typeof AudioContext === 'undefined') return;
    context ??= new AudioContext();
    void context.resume().then(() => (enabled.value = context?.state === 'running'));
  }

  function play(chime: Chime): void {
    if (!context || context.state !== 'running') return;
    let at = context.currentTime;
    for (const [frequency, duration] of PATTERNS[chime]) {
      const osc = context.createOscillator();
      const gain = context.createGain();
      osc.frequency.value = frequency;
      osc.type = 'square';
      gain.gain.setValueAtTime(0.25, at);
      gain.gain.exponentialRampToValueAtTime(0.001, at + duration);
      osc.connect(gain).connect(context.destination);
      osc.start(at);
      osc.stop(at + duration);
      at += duration + 0.05;
    }
  }

  return { enabled, enable, play };
}

/**
 * An approve button that only works once the window has been in front of the user
 * for a moment: a page that pops an approval under the cursor (or right after the
 * user clicked something on the page) must not turn that click into a signature.
 */
import { useEffect, useState } from 'preact/hooks';

export const ARM_DELAY_MS = 800;

export function useArmed(delayMs = ARM_DELAY_MS): boolean {
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      setArmed(false);
      clearTimeout(timer);
      timer = setTimeout(() => setArmed(true), delayMs);
    };
    arm();
    // Coming back to the window (e.g. from the page underneath) re-arms the delay.
    window.addEventListener('focus', arm);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('focus', arm);
    };
  }, [delayMs]);
  return armed;
}

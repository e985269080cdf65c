/** Approval pages work only as top-level windows: inside a frame they could be overlaid or clickjacked. */
export function isFramed(win: Window): boolean {
  try {
    return win.top !== win.self;
  } catch {
    return true; // a cross-origin parent that hides `top` is a frame too
  }
}

export function FramedRefusal() {
  return (
    <main class="screen">
      <p class="error" role="alert">
        Cairn approvals only work in their own window.
      </p>
    </main>
  );
}

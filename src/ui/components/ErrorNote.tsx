/** An error for the user, announced by screen readers; nothing when there is none. */
export function ErrorNote({ message }: { message: string | null }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}

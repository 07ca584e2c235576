/** An error from the service, shown where it happened and announced to screen readers. */
export function ErrorNote({ message }: { message: string | null }) {
  return message ? <p class="error" role="alert">{message}</p> : null;
}

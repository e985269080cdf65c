/** "Password" + "Confirm password", with the minimum length the keyring enforces. */
import { MIN_PASSWORD_LENGTH } from '../../keyring/password-policy';

export interface PasswordFieldsValue {
  password: string;
  confirm: string;
}

/** Null when acceptable, else what to tell the user. */
export function passwordProblem({ password, confirm }: PasswordFieldsValue): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password !== confirm) return 'Passwords do not match';
  return null;
}

export function PasswordFields({
  value,
  onChange,
}: {
  value: PasswordFieldsValue;
  onChange: (value: PasswordFieldsValue) => void;
}) {
  return (
    <>
      <label class="field">
        <span>Password</span>
        <input
          type="password"
          autocomplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          value={value.password}
          onInput={(e) => onChange({ ...value, password: e.currentTarget.value })}
        />
      </label>
      <label class="field">
        <span>Confirm password</span>
        <input
          type="password"
          autocomplete="new-password"
          value={value.confirm}
          onInput={(e) => onChange({ ...value, confirm: e.currentTarget.value })}
        />
      </label>
      <p class="hint">At least {MIN_PASSWORD_LENGTH} characters. It encrypts your wallet on this device.</p>
    </>
  );
}

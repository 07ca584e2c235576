/** A new user's profile: age, gender, occupation (the data's own list where it has one); every field optional. */
import { useState } from 'preact/hooks';
import type { ModelInfo, Profile } from './api';

export function ProfileForm({ model, busy, onSave }: { model: ModelInfo; busy: boolean; onSave: (p: Profile) => void }) {
  const [age, setAge] = useState('');
  const [gender, setGender] = useState('');
  const [occupation, setOccupation] = useState('');
  const occupations = model.data.occupations;
  const submit = (e: Event) => {
    e.preventDefault();
    const p: Profile = {};
    if (age.trim()) p.age = Number(age);
    if (gender) p.gender = gender as 'M' | 'F';
    if (occupation.trim()) p.occupation = occupation.trim();
    onSave(p);
  };
  return (
    <form class="row profile" onSubmit={submit} aria-label="Your profile">
      <label>Age <input type="number" inputMode="numeric" value={age} onInput={(e) => setAge(e.currentTarget.value)} class="age" /></label>
      <label>Gender{' '}
        <select value={gender} onChange={(e) => setGender(e.currentTarget.value)}>
          <option value="">not said</option><option value="F">F</option><option value="M">M</option>
        </select>
      </label>
      <label>Occupation{' '}
        {occupations.length
          ? <select value={occupation} onChange={(e) => setOccupation(e.currentTarget.value)}><option value="">not said</option>{occupations.map((o) => <option key={o} value={o}>{o}</option>)}</select>
          : <input value={occupation} onInput={(e) => setOccupation(e.currentTarget.value)} size={12} />}
      </label>
      <button type="submit" disabled={busy}>Save profile</button>
    </form>
  );
}

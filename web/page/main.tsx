/** The page's entry: styles and the app, mounted on #app of the shell src/serve/page.ts serves. */
import './page.css';
import { render } from 'preact';
import { App } from './app';

const root = document.getElementById('app')!;
root.replaceChildren(); // the shell's "Loading…"
render(<App />, root);

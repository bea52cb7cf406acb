// The app's entry: mounts the UI with the real way to open a room (machine worker + mesh, workers/client/connect.ts).
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { connectRoom } from '../../workers/client/connect';
import type { Connect } from './session/connect';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
const connect: Connect = (link, name, options) => connectRoom(link, name, { newHistory: options?.create === true });
export default mount(App, { target, props: { connect } });

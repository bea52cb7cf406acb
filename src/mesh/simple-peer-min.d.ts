// simple-peer's prebuilt bundle carries its own Buffer/process shims, so it runs under Vite and in Node alike
// without polyfilling globals. Its API is the package's; reuse those types.
declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}

// `kinetic-mesh/node`: what runs only in Node — the headless peer and its disk store.
export { startNodePeer, type NodePeer, type NodePeerOptions } from './peer';

// The seam between the app and the machine: open a room and get its MachineClient. main.ts passes the real
// implementation (workers/client/connect.ts: the machine worker and the mesh room); the app never builds a client itself.
import type { RoomLink } from '../../protocol/room-link';
import type { MachineClient } from '../../../workers/contract/room-view';

export type Connect = (link: RoomLink, displayName: string) => Promise<MachineClient>;

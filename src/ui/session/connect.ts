// The seam between the app and the machine: open a room and get its MachineClient. main.ts passes the real
// implementation (workers/client/connect.ts: the machine worker and the mesh room); the app never builds a client itself.
import type { RoomLink } from '../../protocol/room-link';
import type { MachineClient } from '../../../workers/contract/room-view';

/** `create`: this tab creates the room (the Landing page's "Create a new room"), so it starts its history. */
export type Connect = (link: RoomLink, displayName: string, options?: { readonly create?: boolean }) => Promise<MachineClient>;

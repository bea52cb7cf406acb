// The seam between the app and the machine: open a room and get its MachineClient. main.ts passes the real
// implementation (the bridge to the machine worker); the app never builds a client itself.
import type { RoomLink } from '../../protocol/room-link';
import type { MachineClient } from '../bridge/types';

export type Connect = (link: RoomLink, displayName: string) => Promise<MachineClient>;

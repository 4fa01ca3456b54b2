// Every command by name.
import append from './append.ts';
import authenticate from './authenticate.ts';
import cancelupdate from './cancelupdate.ts';
import capability from './capability.ts';
import check from './check.ts';
import close from './close.ts';
import type { CommandSpec } from './command.ts';
import compress from './compress.ts';
import copy from './copy.ts';
import create from './create.ts';
import del from './delete.ts';
import enable from './enable.ts';
import esearch from './esearch.ts';
import examine from './examine.ts';
import expunge from './expunge.ts';
import fetch from './fetch.ts';
import genurlauth from './genurlauth.ts';
import getquota from './getquota.ts';
import getquotaroot from './getquotaroot.ts';
import getmetadata from './getmetadata.ts';
import id from './id.ts';
import idle from './idle.ts';
import list from './list.ts';
import login from './login.ts';
import logout from './logout.ts';
import lsub from './lsub.ts';
import move from './move.ts';
import namespace from './namespace.ts';
import noop from './noop.ts';
import notify from './notify.ts';
import rename from './rename.ts';
import replace from './replace.ts';
import resetkey from './resetkey.ts';
import search from './search.ts';
import select from './select.ts';
import setquota from './setquota.ts';
import setmetadata from './setmetadata.ts';
import sort from './sort.ts';
import starttls from './starttls.ts';
import status from './status.ts';
import store from './store.ts';
import subscribe from './subscribe.ts';
import thread from './thread.ts';
import unauthenticate from './unauthenticate.ts';
import unselect from './unselect.ts';
import unsubscribe from './unsubscribe.ts';
import urlfetch from './urlfetch.ts';

const COMMANDS = new Map<string, CommandSpec<unknown>>(
  [
    append, authenticate, cancelupdate, capability, check, close, compress, copy, create, del, enable, esearch, examine, expunge, fetch, id, idle, list, login, logout,
    lsub, move, namespace, noop, rename, search, select, sort, starttls, status, store, subscribe, thread, unselect, unsubscribe,
    replace, unauthenticate,
    getquota, getquotaroot, setquota,
    getmetadata, setmetadata,
    notify,
    genurlauth, resetkey, urlfetch,
  ].map((c) => [c.name, c]),
);

export function commandFor(name: string): CommandSpec<unknown> | undefined {
  return COMMANDS.get(name);
}

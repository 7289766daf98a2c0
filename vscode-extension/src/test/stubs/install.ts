// Routes `require("vscode")` and `require("vscode-languageclient/node")` to the stubs; test
// files import this first so the modules under test load against them.
import Module from "node:module";

import * as languageClientStub from "./languageclient";
import * as vscodeStub from "./vscode";

type Loader = (this: unknown, request: string, parent: unknown, isMain: boolean) => unknown;

const moduleInternals = Module as unknown as { _load: Loader };
const originalLoad = moduleInternals._load;

moduleInternals._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  if (request === "vscode") {
    return vscodeStub;
  }
  if (request === "vscode-languageclient/node") {
    return languageClientStub;
  }
  return originalLoad.call(this, request, parent, isMain);
};

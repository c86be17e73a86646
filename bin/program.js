"use strict";
/**
 * The Pulumi CLI's entry point (Pulumi.yaml `main`, runtime TypeScript off): the program of index.ts, loaded from its
 * JavaScript build in .work/program-js/, which bin/programCache.js makes first when the sources changed. The export
 * is index.ts's own (a function the SDK calls), so the CLI runs the same program ts-node ran, without ts-node.
 */
const path = require("path");
const { load } = require("./programCache");

module.exports = load(path.resolve(__dirname, ".."));

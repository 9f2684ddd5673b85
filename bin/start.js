#!/usr/bin/env node
'use strict';
// `npm start` and the systemd unit: start the compiled server, never compile (that is `npm run build`).
require('./build-check').requireBuild('dist/src/server.js');
require('../dist/src/server.js').main();

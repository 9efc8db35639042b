'use strict';
// A Node probe through the SDK, as the README shows: the loop body is the call.
const { runProbe } = require('leakcheck-probe');
const { callFor } = require('./subject');

const call = callFor(process.env.SUBJECT_KIND);
runProbe({ name: `node.${process.env.SUBJECT_KIND}`, body: (ctx, i) => { call(i); } });

console.error('cgdash CLI: not built yet');
process.exit(1);

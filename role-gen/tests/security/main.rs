mod edits;

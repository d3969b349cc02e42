/* Every word the page's scripts show, one table a language (index.html holds the rest).
   ES5 (see app.js). Loaded first; its one global is Strings. */
var Strings = {en: {
  serverError: 'Server error ', unreachable: 'Cannot reach the KindleChat server.',
  you: 'You', gemini: 'Gemini', thoughts: 'Thoughts', writing: 'Gemini is writing...',
  stopped: 'Stopped.', interrupted: 'Interrupted.', wrong: 'Something went wrong.', kept: ' The text so far is kept.',
  retry: 'Retry', tooLong: 'This message is too long.', tryingAgain: ' Trying again...',
  noChats: 'No chats yet.', newChat: 'New chat', messages: ' messages', del: 'Delete', delSure: 'Delete for good?',
  keySaved: 'A key is saved (never shown): paste a new one to replace it.',
  noKey: 'No key yet: create one at aistudio.google.com.', demoNoKey: ' Demo mode needs none.', saved: 'Saved.',
  demo: 'Demo mode: replies come from the built-in emulator.',
  // issue 13: where an answer came from, models, thinking, quotas
  searchedFor: 'Searched for: ', sources: 'Sources', pagesRead: 'Pages read: ',
  urlBad: {ERROR: 'could not be read.', PAYWALL: 'is behind a paywall: not read.',
    UNSAFE: 'was not read (Google judged it unsafe).', UNSPECIFIED: 'may not have been read.'},
  modelsLoading: 'Loading the list of models...',
  modelsFailed: 'The list of models could not be loaded: ', modelKept: ' The model stays ',
  notListed: ' (not in the list: typed by name)', use: 'Use ', andRetry: ' and try again',
  noOther: 'Pick another model in Settings.',
  levels: [['', 'Default'], ['MINIMAL', 'Minimal'], ['LOW', 'Low'], ['MEDIUM', 'Medium'], ['HIGH', 'High']],
  // issue 15: one-tap prompts (the default set; Translate into the page's language)
  quick: ['Explain simply', 'Summarize', 'Give an example', 'Continue'], translateInto: 'Translate into ',
  language: 'English'
}};

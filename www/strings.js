/* Every word the page shows, one table a language: Strings.en here, the source every other
   table (strings-de.js ...) has every key of (tests/test_page_languages.py). index.html's
   texts are named by their data-t attributes; kit.js picks the table (issue 15).
   ES5 (see app.js). Loaded first; its one global is Strings. */
var Strings = {en: {
  // index.html's texts (data-t, data-t-placeholder) and the language field
  langName: 'English', language: 'Language', langAuto: 'Automatic (the browser\'s)',
  chats: 'Chats', settings: 'Settings', emptyTitle: 'Ask Gemini anything',
  emptyHint: 'Long replies turn the page: read back with Previous, or swipe.',
  prev: 'Previous', next: 'Next', follow: 'Follow reply', writeMessage: 'Write a message', send: 'Send',
  stop: 'Stop', searchWeb: 'Search the web', back: 'Back to chat', thisPage: 'This page', textSize: 'Text size',
  apiKey: 'API key', pasteKey: 'Paste a new key', model: 'Model', typeModel: 'Or type a model\'s name',
  reloadModels: 'Load the list again', thinkingLevel: 'Thinking level (Gemini 3 models; the others take a budget)',
  systemInstruction: 'System instruction', temperature: 'Temperature, 0 to 2 (empty: default)',
  showThoughts: 'Show the model\'s thoughts',
  searchAll: 'Search the web for every message (free keys have few searches a day)',
  urlContext: 'Read the web pages a message links to', throttle: 'Screen updates at most every ... ms', save: 'Save',
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
  levels: [['', 'Default'], ['MINIMAL', 'Minimal'], ['LOW', 'Low'], ['MEDIUM', 'Medium'], ['HIGH', 'High']]
}};

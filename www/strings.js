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
  // issue 14: the library views (library.js)
  highlights: 'Highlights', words: 'Words', books: 'Books', allBooks: 'All books', moreBooks: 'More books',
  libLoading: 'Loading...', noHighlights: 'No highlights yet.', noMatch: 'No highlight matches.',
  partial: 'Still reading your clippings file: the newest are shown, the rest follow.',
  note: 'Your note: ', page: 'page ', loc: 'location ', starting: 'Starting the chat...',
  acts: [['explain', 'Explain'], ['summarize', 'Summarize'], ['translate', 'Translate'], ['discuss', 'Discuss']],
  noWords: 'No looked-up words yet.', noBooks: 'No books opened yet.', ask: 'Ask about this book',
  read: '% read', opened: 'opened ', savedAs: "Saved to your Kindle's library as ",
  // issue 15: the phone as a keyboard (phone.js)
  phoneLoading: 'Asking KindleChat for its address...',
  phoneHow: 'Scan this with your phone\'s camera (the phone on the same Wi-Fi). It opens this chat there: ' +
    'what you type on the phone appears here, with its answer, for the next 10 minutes and as long as the phone is in use.',
  phoneAddress: 'Or open this address on the phone: ',
  // issue 16: provider profiles
  noKeyOther: 'No key yet: paste the one the service gave you.', noKeyNeeded: 'No key needed on your own network.',
  profileOf: ' \u00B7 ',
  // issue 15: one-tap prompts (the default set; Translate into the page's language)
  quick: ['Explain simply', 'Summarize', 'Give an example', 'Continue'], translateInto: 'Translate into ',
  language: 'English'
}};

/* Every word the page shows, one table a language: Strings.en here, the source every other
   table (strings-de.js ...) has every key of (tests/page/test_page_languages.py). index.html's
   texts are named by their data-t attributes; kit.js picks the table (issue 15).
   ES5 (see app.js). Loaded first; its one global is Strings. */
var Strings = {en: {
  // index.html's texts (data-t, data-t-placeholder) and the language field
  langName: 'English', language: 'Language', langAuto: 'Automatic (the browser\'s)',
  chats: 'Chats', settings: 'Settings', emptyTitle: 'Ask Gemini anything',
  emptyHint: 'Long replies turn the page: read back with Previous, or swipe.',
  menu: 'Menu', prev: 'Previous', next: 'Next', follow: 'Follow reply', writeMessage: 'Write a message', send: 'Send',
  stop: 'Stop', searchWeb: 'Search the web', back: 'Back to chat', thisPage: 'This page', textSize: 'Text size',
  apiKey: 'API key', pasteKey: 'Paste a new key', model: 'Model', typeModel: 'Or type a model\'s name',
  reloadModels: 'Load the list again', thinkingLevel: 'Thinking level (Gemini 3 models; the others take a budget)',
  systemInstruction: 'System instruction', temperature: 'Temperature, 0 to 2 (empty: default)',
  showThoughts: 'Show the model\'s thoughts',
  searchAll: 'Search the web for every message (free keys have few searches a day)',
  urlContext: 'Read the web pages a message links to', throttle: 'Screen updates at most every ... ms', save: 'Save',
  serverError: 'Server error ', unreachable: 'Cannot reach the KindleChat server.',
  you: 'You', gemini: 'Gemini', thoughts: 'Thoughts', writing: '%s is writing...', reconnecting: 'Waiting for the network...',
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
  // index.html's texts of the library, phone, provider and less-typing parts
  library: 'Library', phone: 'Phone', saveBook: 'Save as book', hlSearch: 'Search your highlights', search: 'Search',
  more: 'More', quiz: 'Quiz me on my last 10 words', phoneTitle: 'Type on your phone', provider: 'Provider',
  profile: 'Profile', addPreset: 'Add from preset', baseUrl: 'Base URL', deleteProfile: 'Delete this profile',
  quickPrompts: 'One-tap prompts, one a line (empty: the usual set)',
  followUps: 'Suggest follow-up questions to tap under each reply (about 80 tokens more a reply)',
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
  phoneLoopback: 'A phone can reach KindleChat only on the Kindle\'s Wi-Fi address: in KUAL choose KindleChat, ' +
    'then "Start on the Wi-Fi address", and tap Phone again.',
  // issue 16: provider profiles
  noKeyOther: 'No key yet: paste the one the service gave you.', noKeyNeeded: 'No key needed on your own network.',
  profileOf: ' \u00B7 ',
  // issue 21: models that change, and a service's own name
  stillWaiting: 'Still waiting for %s...', useDefault: 'Send with the model\'s default thinking',
  // issue 15: one-tap prompts (the default set; Translate into the page's language)
  quick: ['Explain simply', 'Summarize', 'Give an example', 'Continue'], translateInto: 'Translate into ',
  // issue 24: the book being read (books.js)
  bookBudget: 'Book text a question carries, in tokens (empty: the provider\'s usual)', readingNow: 'Reading now', askHint: 'Ask about what you have read', askBook: 'Ask',
  storySoFar: 'Story so far', catchUp: 'Catch me up', whosWho: 'Who\'s who',
  fromLibrary: 'How far: from the library\'s percent (the Kindle notes the page when it sleeps in the book).',
  pagesUsed: 'Pages used: ', readOn: 'You read on: this answer goes up to ',
  bookText: {readable: 'KindleChat reads this book up to where you are, and nothing after.',
    drm: 'This book is locked by DRM: KindleChat knows only its title, author and how far you are.',
    kfx: 'This book is in Amazon\'s KFX format: KindleChat knows only its title, author and how far you are.',
    pdf: 'This book is a PDF: KindleChat knows only its title, author and how far you are.',
    missing: 'This book\'s file is not on the Kindle: KindleChat knows only its title, author and how far you are.',
    unsupported: 'KindleChat can\'t read this book\'s text: it knows only its title, author and how far you are.'},
  // issue 26: Review (review.js) and the words' exports
  review: 'Review',
  show: 'Show',
  rates: [['again', 'Again'], ['hard', 'Hard'], ['good', 'Good'], ['easy', 'Easy']],
  reviewDue: ' due',
  reviewNew: ' new today',
  reviewDone: 'All done for now. Next review: ',
  reviewNone: 'No words to review yet: look one up in a book.',
  reviewNoCard: 'No card yet: the sentence is the clue.',
  writeCards: 'Write cards',
  cardsMissing: ' words have no card yet: ',
  cardsRequests: ' requests to write them.',
  cardsWriting: 'Writing cards in the background...',
  exportApkg: 'Save as Anki deck',
  exportCsv: 'Save as CSV',
  downloadApkg: 'Download the Anki deck',
  downloadCsv: 'Download the CSV',
  savedTo: 'Saved to your Kindle as ',
  newPerDay: 'New words a day: ',
  reviewMastered: 'Review the words marked mastered too',
  fewer: '\u22125', more5: '+5',
  reviewCheck: 'Look again'
}};

/* The page in German: every key of Strings.en (strings.js), in plain words, addressing
   the reader as "du" as Gemini's own German does. A leading or trailing space is where
   the page joins the text to another (tests/test_page_languages.py checks both).
   ES5 (see app.js). Loaded after strings.js. */
Strings.de = {
  langName: 'Deutsch', language: 'Sprache', langAuto: 'Automatisch (wie der Browser)',
  chats: 'Chats', settings: 'Einstellungen', emptyTitle: 'Frag Gemini, was du wissen willst',
  emptyHint: 'Lange Antworten gehen auf der nächsten Seite weiter: Zurück blättert zurück, Wischen auch.',
  prev: 'Zurück', next: 'Weiter', follow: 'Mitblättern', writeMessage: 'Nachricht schreiben', send: 'Senden',
  stop: 'Stopp', searchWeb: 'Im Web suchen', back: 'Zurück zum Chat', thisPage: 'Diese Seite', textSize: 'Schriftgröße',
  apiKey: 'API-Schlüssel', pasteKey: 'Neuen Schlüssel einfügen', model: 'Modell',
  typeModel: 'Oder den Namen eines Modells eingeben', reloadModels: 'Liste neu laden',
  thinkingLevel: 'Denktiefe (für Gemini-3-Modelle; die anderen haben ein Token-Budget)',
  systemInstruction: 'Systemanweisung', temperature: 'Temperatur, 0 bis 2 (leer: Standard)',
  showThoughts: 'Zeigen, was das Modell überlegt',
  searchAll: 'Für jede Nachricht im Web suchen (kostenlose Schlüssel haben nur wenige Suchen am Tag)',
  urlContext: 'Webseiten lesen, auf die eine Nachricht verlinkt', throttle: 'Bildschirm höchstens alle ... ms neu zeichnen',
  save: 'Speichern',
  serverError: 'Serverfehler ', unreachable: 'Der KindleChat-Server ist nicht erreichbar.',
  you: 'Du', gemini: 'Gemini', thoughts: 'Überlegungen', writing: 'Gemini schreibt...',
  stopped: 'Angehalten.', interrupted: 'Unterbrochen.', wrong: 'Da ist etwas schiefgegangen.',
  kept: ' Der Text bis hierher bleibt.', retry: 'Noch einmal', tooLong: 'Diese Nachricht ist zu lang.',
  tryingAgain: ' Neuer Versuch...',
  noChats: 'Noch keine Chats.', newChat: 'Neuer Chat', messages: ' Nachrichten', del: 'Löschen',
  delSure: 'Endgültig löschen?',
  keySaved: 'Ein Schlüssel ist gespeichert (er wird nie gezeigt): Füge einen neuen ein, um ihn zu ersetzen.',
  noKey: 'Noch kein Schlüssel: Du bekommst einen auf aistudio.google.com.', demoNoKey: ' Im Demo-Modus brauchst du keinen.',
  saved: 'Gespeichert.', demo: 'Demo-Modus: Die Antworten kommen vom eingebauten Emulator.',
  searchedFor: 'Gesucht nach: ', sources: 'Quellen', pagesRead: 'Gelesene Seiten: ',
  urlBad: {ERROR: 'konnte nicht gelesen werden.', PAYWALL: 'steht hinter einer Bezahlschranke: nicht gelesen.',
    UNSAFE: 'wurde nicht gelesen (Google hält die Seite für unsicher).', UNSPECIFIED: 'wurde vielleicht nicht gelesen.'},
  modelsLoading: 'Die Liste der Modelle wird geladen...',
  modelsFailed: 'Die Liste der Modelle ließ sich nicht laden: ', modelKept: ' Das Modell bleibt ',
  notListed: ' (nicht in der Liste: von Hand eingegeben)', use: 'Mit ', andRetry: ' noch einmal fragen',
  noOther: 'Wähle in den Einstellungen ein anderes Modell.',
  levels: [['', 'Standard'], ['MINIMAL', 'Minimal'], ['LOW', 'Niedrig'], ['MEDIUM', 'Mittel'], ['HIGH', 'Hoch']]
};

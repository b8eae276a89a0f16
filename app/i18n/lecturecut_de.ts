<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>CleanDialog</name>
    <message>
        <location filename="../clean_dialog.py" line="42"/>
        <source>filler</source>
        <translation>Füllwort</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="43"/>
        <source>repeat</source>
        <translation>Wiederholung</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="44"/>
        <source>false start</source>
        <translation>Fehlstart</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="45"/>
        <source>long pause</source>
        <translation>lange Pause</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="59"/>
        <source>Clean Up</source>
        <translation>Aufräumen</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="60"/>
        <source>Filler words (uh, um, äh, ähm)</source>
        <translation>Füllwörter (äh, ähm, uh, um)</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="61"/>
        <source>Repeated words and false starts</source>
        <translation>Wiederholte Wörter und Fehlstarts</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="62"/>
        <source>Pauses longer than</source>
        <translation>Pausen länger als</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="75"/>
        <source>shortened to</source>
        <translation>gekürzt auf</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="80"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="80"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="80"/>
        <source>Found</source>
        <translation>Gefunden</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="80"/>
        <source>Why</source>
        <translation>Warum</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="91"/>
        <source>Check exactly the findings of this kind</source>
        <translation>Genau die Funde dieser Art ankreuzen</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="95"/>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="96"/>
        <source>Loop the selected finding as recorded and as it would be edited</source>
        <translation>Den gewählten Fund in Schleife abspielen: wie aufgenommen und wie bearbeitet</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="101"/>
        <source>Remove Checked</source>
        <translation>Angekreuzte entfernen</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="170"/>
        <source>This transcript was made before lecturecut listened for the fillers Whisper leaves out: only those Whisper wrote are found. Transcribe the video again to find the rest.</source>
        <translation>Dieses Transkript entstand, bevor lecturecut nach den Füllwörtern horchte, die Whisper auslässt: Gefunden werden nur die, die Whisper geschrieben hat. Transkribieren Sie das Video erneut, um die übrigen zu finden.</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="173"/>
        <source>Only the fillers Whisper wrote are found: lecturecut listens for the others in English and German only.</source>
        <translation>Gefunden werden nur die Füllwörter, die Whisper geschrieben hat: Nach den übrigen horcht lecturecut nur im Englischen und Deutschen.</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="193"/>
        <source>Only %1 (%2)</source>
        <translation>Nur %1 (%2)</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="196"/>
        <source>Found: %1. Checked for removal: %2.</source>
        <translation>Gefunden: %1. Zum Entfernen angekreuzt: %2.</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="228"/>
        <source>Removed: %1 (the lecture is at least %2 s shorter). Edit › Undo takes it back.</source>
        <translation>Entfernt: %1 (die Vorlesung ist mindestens %2 s kürzer). Bearbeiten › Rückgängig nimmt es zurück.</translation>
    </message>
    <message>
        <location filename="../clean_dialog.py" line="231"/>
        <source>Left alone: %1.</source>
        <translation>Unverändert gelassen: %1.</translation>
    </message>
</context>
<context>
    <name>Dialogs</name>
    <message>
        <location filename="../dialogs.py" line="67"/>
        <source>lecturecut</source>
        <translation>lecturecut</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="80"/>
        <source>A part of lecturecut is not installed (the Python module &apos;%1&apos; is missing). Run scripts/setup.sh again, or reinstall lecturecut.</source>
        <translation>Ein Teil von lecturecut ist nicht installiert (das Python-Modul „%1“ fehlt). Führen Sie scripts/setup.sh erneut aus oder installieren Sie lecturecut neu.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="84"/>
        <source>A part of lecturecut could not be loaded (%1). Run scripts/setup.sh again, or reinstall lecturecut.</source>
        <translation>Ein Teil von lecturecut konnte nicht geladen werden (%1). Führen Sie scripts/setup.sh erneut aus oder installieren Sie lecturecut neu.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="88"/>
        <source>The computer ran out of memory. Close other programs, or choose a smaller transcription model in Settings, and try again.</source>
        <translation>Der Arbeitsspeicher reicht nicht aus. Schließen Sie andere Programme oder wählen Sie in den Einstellungen ein kleineres Transkriptionsmodell und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="93"/>
        <source>A file could not be read or written%1: %2. Check that the disk is not full and that you may write to the folder.</source>
        <translation>Eine Datei konnte nicht gelesen oder geschrieben werden%1: %2. Prüfen Sie, ob der Datenträger voll ist und ob Sie in den Ordner schreiben dürfen.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="97"/>
        <source>Something unexpected went wrong (%1: %2). Your edits are safe: lecturecut autosaves them. Please report this problem with the details below.</source>
        <translation>Etwas Unerwartetes ist schiefgegangen (%1: %2). Ihre Änderungen sind sicher: lecturecut speichert sie automatisch. Bitte melden Sie dieses Problem mit den Details unten.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="131"/>
        <source>Separate subtitle file (.srt)</source>
        <translation>Separate Untertiteldatei (.srt)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="132"/>
        <source>Subtitle track inside the video</source>
        <translation>Untertitelspur im Video</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="133"/>
        <source>Both</source>
        <translation>Beides</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="134"/>
        <source>No subtitles</source>
        <translation>Keine Untertitel</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="137"/>
        <source>openHPI (loudness -16 LUFS, 48 kHz, WebVTT zipped for upload)</source>
        <translation>openHPI (Lautheit -16 LUFS, 48 kHz, WebVTT als ZIP zum Hochladen)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="138"/>
        <source>Archive (the audio as recorded)</source>
        <translation>Archiv (Ton wie aufgenommen)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="141"/>
        <source>Balanced</source>
        <translation>Ausgewogen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="142"/>
        <source>Fast (larger file)</source>
        <translation>Schnell (größere Datei)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="143"/>
        <source>High quality (slower)</source>
        <translation>Hohe Qualität (langsamer)</translation>
    </message>
</context>
<context>
    <name>EditList</name>
    <message>
        <location filename="../edit_list.py" line="61"/>
        <source>cut</source>
        <translation>geschnitten</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="62"/>
        <source>pause shortened</source>
        <translation>Pause gekürzt</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="63"/>
        <source>voice pending</source>
        <translation>Stimme ausstehend</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="64"/>
        <source>voice ready</source>
        <translation>Stimme fertig</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="65"/>
        <source>lips ready</source>
        <translation>Lippen fertig</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="66"/>
        <source>needs review</source>
        <translation>bitte prüfen</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="196"/>
        <source>chosen occurrence</source>
        <translation>gewählte Aufnahme</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="205"/>
        <source>generic voice</source>
        <translation>generische Stimme</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="207"/>
        <source>voice ready · built from units</source>
        <translation>Stimme fertig · aus Lauten gebaut</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="209"/>
        <source>voice ready · reused from %1</source>
        <translation>Stimme fertig · wiederverwendet von %1</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="214"/>
        <source>voice pending: %1</source>
        <translation>Stimme ausstehend: %1</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="218"/>
        <source>weak lip sync</source>
        <translation>schwache Lippensynchronität</translation>
    </message>
</context>
<context>
    <name>EditListPanel</name>
    <message>
        <location filename="../edit_list.py" line="238"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="238"/>
        <source>Edit</source>
        <translation>Änderung</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="238"/>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="249"/>
        <location filename="../edit_list.py" line="435"/>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="250"/>
        <source>Loop a few seconds around the edit: as recorded, then as edited</source>
        <translation>Ein paar Sekunden um die Änderung in Schleife abspielen: erst wie aufgenommen, dann wie bearbeitet</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="252"/>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="253"/>
        <source>Undo this edit (the words come back as recorded)</source>
        <translation>Diese Änderung zurücknehmen (die Wörter kommen wie aufgenommen zurück)</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="255"/>
        <source>Voice…</source>
        <translation>Stimme…</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="256"/>
        <source>Choose which recorded words say the retype, and adjust its loudness, speed and timing</source>
        <translation>Wählen, welche aufgenommenen Wörter die neue Stelle sprechen, und Lautstärke, Tempo und Zeitpunkt anpassen</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="260"/>
        <source>Watch…</source>
        <translation>Ansehen…</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="261"/>
        <source>Render this edit as it will be exported (new speech, the mouth regenerated, cuts smoothed) and play it: as recorded, then as edited</source>
        <translation>Diese Änderung so rendern, wie sie exportiert wird (neue Sprache, neu erzeugter Mund, geglättete Schnitte), und abspielen: erst wie aufgenommen, dann bearbeitet</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="315"/>
        <source>A generic text-to-speech voice says these words, not the lecturer: the lecture lacks a sound they need</source>
        <translation>Eine generische Sprachsynthese spricht diese Wörter, nicht die vortragende Person: der Vorlesung fehlt ein Laut, den sie brauchen</translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="324"/>
        <source>A word next to this edit was recognised with low confidence: listen to the preview</source>
        <translation>Ein Wort an dieser Änderung wurde nur unsicher erkannt: hören Sie sich die Vorschau an</translation>
    </message>
    <message numerus="yes">
        <location filename="../edit_list.py" line="337"/>
        <source>%n cuts</source>
        <translation>
            <numerusform>%n Schnitt</numerusform>
            <numerusform>%n Schnitte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../edit_list.py" line="337"/>
        <source>%n retypes</source>
        <translation>
            <numerusform>%n Neueingabe</numerusform>
            <numerusform>%n Neueingaben</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../edit_list.py" line="339"/>
        <source>%n pauses shortened</source>
        <translation>
            <numerusform>%n Pause gekürzt</numerusform>
            <numerusform>%n Pausen gekürzt</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../edit_list.py" line="435"/>
        <source>Stop preview</source>
        <translation>Vorschau beenden</translation>
    </message>
</context>
<context>
    <name>EditPreviewDialog</name>
    <message>
        <location filename="../edit_preview.py" line="90"/>
        <source>Edit %1: %2</source>
        <translation>Änderung %1: %2</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="92"/>
        <location filename="../edit_preview.py" line="128"/>
        <source>Rendering the edit as it will be exported…</source>
        <translation>Die Änderung wird so gerendert, wie sie exportiert wird…</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="99"/>
        <source>Play again</source>
        <translation>Noch einmal abspielen</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="147"/>
        <location filename="../edit_preview.py" line="172"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="149"/>
        <source>The recording (%1 s), then the edited lecture (%2 s), as exported.</source>
        <translation>Die Aufnahme (%1 s), dann die bearbeitete Vorlesung (%2 s), wie exportiert.</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="154"/>
        <source>No picture (the clip cannot be played on this system); it is in %1</source>
        <translation>Kein Bild (der Clip kann auf diesem System nicht abgespielt werden); er liegt in %1</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="162"/>
        <source>The edit could not be rendered: %1</source>
        <translation>Die Änderung konnte nicht gerendert werden: %1</translation>
    </message>
    <message>
        <location filename="../edit_preview.py" line="165"/>
        <source>Cancelled: nothing was rendered.</source>
        <translation>Abgebrochen: nichts wurde gerendert.</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../dialogs.py" line="167"/>
        <source>Export the edited lecture</source>
        <translation>Bearbeitete Vorlesung exportieren</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="176"/>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="187"/>
        <source>Smooth the cuts (short crossfade)</source>
        <translation>Schnitte glätten (kurze Überblendung)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="193"/>
        <source>e.g. bigdata2026-w1 (every file name starts with it)</source>
        <translation>z. B. bigdata2026-w1 (jeder Dateiname beginnt damit)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="194"/>
        <source>Also the audio alone (.m4a)</source>
        <translation>Auch den Ton allein (.m4a)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="195"/>
        <source>A timeline for other editors (.otio)</source>
        <translation>Eine Zeitleiste für andere Schnittprogramme (.otio)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="196"/>
        <source>Mark synthetic speech in the picture</source>
        <translation>Synthetische Sprache im Bild kennzeichnen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="197"/>
        <source>Re-encode every frame (no smart render)</source>
        <translation>Jedes Bild neu kodieren (kein Smart Render)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="198"/>
        <source>By default the untouched stretches of the video are copied as they are and only the stretches around each edit are re-encoded</source>
        <translation>Standardmäßig werden die unveränderten Abschnitte des Videos unverändert kopiert und nur die Abschnitte um jede Änderung neu kodiert</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="201"/>
        <source>Save as:</source>
        <translation>Speichern als:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="202"/>
        <source>For:</source>
        <translation>Für:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="203"/>
        <source>Course prefix:</source>
        <translation>Kurspräfix:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="204"/>
        <source>Quality:</source>
        <translation>Qualität:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="205"/>
        <source>Subtitles:</source>
        <translation>Untertitel:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="217"/>
        <source>Retyped words are spoken in the lecturer&apos;s voice; a retype the voice cannot say is exported as recorded (the edit list says why).</source>
        <translation>Neu getippte Wörter werden mit der Stimme der vortragenden Person gesprochen; was die Stimme nicht sagen kann, wird wie aufgenommen exportiert (die Änderungsliste sagt, warum).</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="220"/>
        <location filename="../dialogs.py" line="272"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="222"/>
        <source>Show in folder</source>
        <translation>Im Ordner zeigen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="234"/>
        <source>Export to</source>
        <translation>Exportieren nach</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="235"/>
        <source>MP4 video (*.mp4);;All files (*)</source>
        <translation>MP4-Video (*.mp4);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="247"/>
        <source>Replace existing files?</source>
        <translation>Vorhandene Dateien ersetzen?</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="248"/>
        <source>These files exist already and would be replaced:

%1

Replace them?</source>
        <translation>Diese Dateien gibt es schon, sie würden ersetzt:

%1

Ersetzen?</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="268"/>
        <source>Not exported: the existing files were left as they are.</source>
        <translation>Nicht exportiert: Die vorhandenen Dateien bleiben, wie sie sind.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="286"/>
        <source>Starting the export…</source>
        <translation>Export wird gestartet…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="302"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="311"/>
        <source>Exported to %1</source>
        <translation>Exportiert nach %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../dialogs.py" line="314"/>
        <source>%n cuts</source>
        <translation>
            <numerusform>%n Schnitt</numerusform>
            <numerusform>%n Schnitte</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="327"/>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="333"/>
        <source>Export cancelled; nothing was written.</source>
        <translation>Export abgebrochen; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="338"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <location filename="../find_bar.py" line="34"/>
        <source>Find</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="39"/>
        <source>Replace with</source>
        <translation>Ersetzen durch</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="44"/>
        <source>Previous match</source>
        <translation>Vorheriger Treffer</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="48"/>
        <source>Next match</source>
        <translation>Nächster Treffer</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="50"/>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="52"/>
        <source>Replace all</source>
        <translation>Alle ersetzen</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="57"/>
        <source>Close (Esc)</source>
        <translation>Schließen (Esc)</translation>
    </message>
    <message numerus="yes">
        <location filename="../find_bar.py" line="106"/>
        <source>%n matches</source>
        <translation>
            <numerusform>%n Treffer</numerusform>
            <numerusform>%n Treffer</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="168"/>
        <source>Match %1 of %2</source>
        <translation>Treffer %1 von %2</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="170"/>
        <location filename="../find_bar.py" line="172"/>
        <source>Wrapped around</source>
        <translation>Vom Anfang fortgesetzt</translation>
    </message>
    <message>
        <location filename="../find_bar.py" line="106"/>
        <location filename="../find_bar.py" line="175"/>
        <source>Not found</source>
        <translation>Nicht gefunden</translation>
    </message>
    <message numerus="yes">
        <location filename="../find_bar.py" line="109"/>
        <source>Replacing needs new speech for %n words (made in the lecturer&apos;s voice)</source>
        <translation>
            <numerusform>Ersetzen braucht neue Sprache für %n Wort (in der Stimme der Lehrperson)</numerusform>
            <numerusform>Ersetzen braucht neue Sprache für %n Wörter (in der Stimme der Lehrperson)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../find_bar.py" line="205"/>
        <source>%n replaced</source>
        <translation>
            <numerusform>%n ersetzt</numerusform>
            <numerusform>%n ersetzt</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>JobStatus</name>
    <message>
        <location filename="../main_window.py" line="153"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="177"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="190"/>
        <source>about %1 left</source>
        <translation>noch etwa %1</translation>
    </message>
</context>
<context>
    <name>Jobs</name>
    <message>
        <location filename="../workers.py" line="194"/>
        <source>about %1 left</source>
        <translation>noch etwa %1</translation>
    </message>
</context>
<context>
    <name>LanguageBar</name>
    <message>
        <location filename="../language_bar.py" line="19"/>
        <source>English</source>
        <translation>Englisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="19"/>
        <source>German</source>
        <translation>Deutsch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="20"/>
        <source>French</source>
        <translation>Französisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="20"/>
        <source>Spanish</source>
        <translation>Spanisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="21"/>
        <source>Italian</source>
        <translation>Italienisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="21"/>
        <source>Dutch</source>
        <translation>Niederländisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="22"/>
        <source>Polish</source>
        <translation>Polnisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="22"/>
        <source>Portuguese</source>
        <translation>Portugiesisch</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="48"/>
        <source>%1 (chosen)</source>
        <translation>%1 (gewählt)</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="50"/>
        <source>%1 (detected)</source>
        <translation>%1 (erkannt)</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="51"/>
        <source>%1 (detected, %2 %)</source>
        <translation>%1 (erkannt, %2 %)</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="104"/>
        <source>The language may be wrong: transcribed as %1.</source>
        <translation>Die Sprache ist vielleicht falsch: transkribiert als %1.</translation>
    </message>
    <message>
        <location filename="../language_bar.py" line="109"/>
        <source>Transcribe as %1</source>
        <translation>Als %1 transkribieren</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="72"/>
        <source>Unsaved changes</source>
        <translation>Ungespeicherte Änderungen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="73"/>
        <source>Save the changes to “%1”?</source>
        <translation>Änderungen an „%1“ speichern?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="83"/>
        <source>Recover unsaved changes?</source>
        <translation>Ungespeicherte Änderungen wiederherstellen?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="84"/>
        <source>lecturecut was not closed properly while “%1” had unsaved changes. Recover them from the autosave?

No discards the autosaved changes and opens the last saved version.</source>
        <translation>lecturecut wurde nicht ordnungsgemäß beendet, während „%1“ ungespeicherte Änderungen hatte. Aus der automatischen Sicherung wiederherstellen?

Nein verwirft die automatisch gesicherten Änderungen und öffnet die zuletzt gespeicherte Fassung.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="92"/>
        <source>Open a lecture video or project</source>
        <translation>Vorlesungsvideo oder Projekt öffnen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="93"/>
        <source>Videos and projects (%1);;All files (*)</source>
        <translation>Videos und Projekte (%1);;Alle Dateien (*)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="100"/>
        <source>Transcribe again?</source>
        <translation>Erneut transkribieren?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="101"/>
        <source>Transcribing again as %1 replaces the transcript, and the edits made on it are lost. Transcribe again?</source>
        <translation>Erneutes Transkribieren als %1 ersetzt das Transkript, die Änderungen daran gehen verloren. Erneut transkribieren?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="109"/>
        <source>Project changed on disk</source>
        <translation>Projekt wurde auf der Festplatte geändert</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="110"/>
        <source>“%1” was changed by another program, and you have unsaved edits here.</source>
        <translation>„%1“ wurde von einem anderen Programm geändert, und Sie haben hier ungespeicherte Änderungen.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="113"/>
        <source>Reload it (your edits here are lost), keep your version and overwrite the other one, or save your version under another name.</source>
        <translation>Neu laden (Ihre Änderungen hier gehen verloren), Ihre Fassung behalten und die andere überschreiben, oder Ihre Fassung unter einem anderen Namen speichern.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="115"/>
        <source>Reload</source>
        <translation>Neu laden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="116"/>
        <source>Keep Mine and Overwrite</source>
        <translation>Meine behalten und überschreiben</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="118"/>
        <source>Save As…</source>
        <translation>Speichern unter…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="129"/>
        <source>Replace existing files?</source>
        <translation>Vorhandene Dateien ersetzen?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="130"/>
        <source>These files exist already and would be replaced:

%1

Replace them?</source>
        <translation>Diese Dateien gibt es schon, sie würden ersetzt:

%1

Ersetzen?</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="136"/>
        <source>Save the project as</source>
        <translation>Projekt speichern unter</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="137"/>
        <source>lecturecut projects (*%1)</source>
        <translation>lecturecut-Projekte (*%1)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="270"/>
        <source>The language the transcript was made in</source>
        <translation>Die Sprache, in der transkribiert wurde</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="273"/>
        <source>New speech for the retypes is being made</source>
        <translation>Die neue Sprache für die neu getippten Wörter wird erzeugt</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="298"/>
        <source>This edit is not possible</source>
        <translation>Diese Änderung ist nicht möglich</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="300"/>
        <source>Autosaved</source>
        <translation>Automatisch gesichert</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="302"/>
        <source>Playback is not available: %1</source>
        <translation>Wiedergabe nicht möglich: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="339"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="340"/>
        <source>&amp;Open…</source>
        <translation>Ö&amp;ffnen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="341"/>
        <source>Open a lecture video (it is transcribed) or a project</source>
        <translation>Ein Vorlesungsvideo (es wird transkribiert) oder ein Projekt öffnen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="342"/>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="345"/>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="346"/>
        <source>Save &amp;As…</source>
        <translation>Speichern &amp;unter…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="347"/>
        <source>&amp;Export…</source>
        <translation>&amp;Exportieren…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="348"/>
        <source>Render the edited lecture to a video file</source>
        <translation>Die bearbeitete Vorlesung als Videodatei ausgeben</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="349"/>
        <source>Re&amp;link Source Video…</source>
        <translation>Quellvideo neu &amp;verknüpfen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="351"/>
        <source>&amp;Close Project</source>
        <translation>Projekt s&amp;chließen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="353"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="355"/>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="356"/>
        <location filename="../main_window.py" line="433"/>
        <source>&amp;Undo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="357"/>
        <location filename="../main_window.py" line="435"/>
        <source>&amp;Redo</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="359"/>
        <source>&amp;Delete Words</source>
        <translation>Wörter &amp;löschen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="360"/>
        <source>Re&amp;type Words…</source>
        <translation>Wörter neu &amp;tippen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="362"/>
        <source>Re&amp;store Words</source>
        <translation>Wörter wieder&amp;herstellen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="363"/>
        <source>&amp;Clean Up…</source>
        <translation>&amp;Aufräumen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="364"/>
        <source>Find filler words, repeats and long pauses, and remove them</source>
        <translation>Füllwörter, Wiederholungen und lange Pausen finden und entfernen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="366"/>
        <source>&amp;Find and Replace…</source>
        <translation>&amp;Suchen und Ersetzen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="369"/>
        <source>Se&amp;ttings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="371"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="372"/>
        <source>&amp;Hide Deleted Words</source>
        <translation>Gelöschte Wörter &amp;ausblenden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="374"/>
        <source>&amp;Follow Playback</source>
        <translation>Der Wiedergabe &amp;folgen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="378"/>
        <source>&amp;Edit List</source>
        <translation>&amp;Änderungsliste</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="382"/>
        <source>Zoom Timeline &amp;In</source>
        <translation>Zeitleiste ver&amp;größern</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="383"/>
        <source>Zoom Timeline &amp;Out</source>
        <translation>Zeitleiste ver&amp;kleinern</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="386"/>
        <source>&amp;Playback</source>
        <translation>&amp;Wiedergabe</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="387"/>
        <source>&amp;Play / Pause</source>
        <translation>&amp;Abspielen / Pause</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="388"/>
        <source>Jump &amp;Back</source>
        <translation>&amp;Zurückspringen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="389"/>
        <source>&amp;Stop</source>
        <translation>&amp;Stopp</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="390"/>
        <source>Play / &amp;Faster</source>
        <translation>Abspielen / &amp;schneller</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="391"/>
        <source>Play &amp;Selection</source>
        <translation>&amp;Auswahl abspielen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="392"/>
        <source>Play only the selected words, as edited</source>
        <translation>Nur die ausgewählten Wörter abspielen, wie bearbeitet</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="393"/>
        <source>Play the &amp;Edited Lecture</source>
        <translation>&amp;Bearbeitete Vorlesung abspielen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="394"/>
        <source>Skip the deleted words while playing</source>
        <translation>Gelöschte Wörter beim Abspielen überspringen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="398"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="399"/>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>&amp;Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="401"/>
        <source>&amp;About lecturecut</source>
        <translation>Ü&amp;ber lecturecut</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="411"/>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="414"/>
        <source>Clear the List</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="432"/>
        <source>&amp;Undo %1</source>
        <translation>&amp;Rückgängig: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="434"/>
        <source>&amp;Redo %1</source>
        <translation>&amp;Wiederholen: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../main_window.py" line="451"/>
        <source>%n words</source>
        <translation>
            <numerusform>%n Wort</numerusform>
            <numerusform>%n Wörter</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../main_window.py" line="451"/>
        <source>%2 deleted · %3 retyped · %4 of %5</source>
        <translation>%2 gelöscht · %3 neu getippt · %4 von %5</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="476"/>
        <source>The waveform could not be drawn: %1</source>
        <translation>Die Wellenform konnte nicht gezeichnet werden: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="526"/>
        <source>The new words cannot be spoken: %1</source>
        <translation>Die neuen Wörter können nicht gesprochen werden: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="595"/>
        <source>The project could not be opened</source>
        <translation>Das Projekt konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="601"/>
        <source>The source video needs attention</source>
        <translation>Das Quellvideo braucht Ihre Aufmerksamkeit</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="614"/>
        <source>This video already has a project: opening it</source>
        <translation>Zu diesem Video gibt es schon ein Projekt: es wird geöffnet</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="617"/>
        <source>The video could not be opened</source>
        <translation>Das Video konnte nicht geöffnet werden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="618"/>
        <source>&apos;%1&apos; does not exist. Check the path, or whether the file was moved or renamed.</source>
        <translation>„%1“ existiert nicht. Prüfen Sie den Pfad oder ob die Datei verschoben oder umbenannt wurde.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="652"/>
        <source>Transcription cancelled</source>
        <translation>Transkription abgebrochen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="654"/>
        <source>Transcribing %1</source>
        <translation>%1 wird transkribiert</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="655"/>
        <source>Transcribing %1 … the transcript appears here when it is ready.</source>
        <translation>%1 wird transkribiert … das Transkript erscheint hier, sobald es fertig ist.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="682"/>
        <source>The new project could not be saved</source>
        <translation>Das neue Projekt konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="691"/>
        <source>Transcribed %1 words</source>
        <translation>%1 Wörter transkribiert</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="696"/>
        <source>Transcription failed</source>
        <translation>Transkription fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="706"/>
        <source>The transcript appears here once a video is opened and transcribed.</source>
        <translation>Das Transkript erscheint hier, sobald ein Video geöffnet und transkribiert ist.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="756"/>
        <location filename="../main_window.py" line="796"/>
        <location filename="../main_window.py" line="815"/>
        <source>The project could not be saved</source>
        <translation>Das Projekt konnte nicht gespeichert werden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="758"/>
        <location filename="../main_window.py" line="793"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="773"/>
        <source>%1 was removed by another program; Save writes it again</source>
        <translation>%1 wurde von einem anderen Programm entfernt; Speichern schreibt es neu</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="788"/>
        <source>Reloaded %1: it was changed by another program</source>
        <translation>%1 neu geladen: Es wurde von einem anderen Programm geändert</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="832"/>
        <source>The video could not be relinked</source>
        <translation>Das Video konnte nicht neu verknüpft werden</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="876"/>
        <source>About lecturecut</source>
        <translation>Über lecturecut</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="877"/>
        <source>lecturecut: edit a recorded lecture by editing its transcript.

Delete words to cut them, type over words to retype them, export the result.</source>
        <translation>lecturecut: eine aufgezeichnete Vorlesung bearbeiten, indem man ihr Transkript bearbeitet.

Wörter löschen schneidet sie heraus, Wörter überschreiben tippt sie neu, dann das Ergebnis exportieren.</translation>
    </message>
</context>
<context>
    <name>PlayerWidget</name>
    <message>
        <location filename="../player.py" line="765"/>
        <source>The recording&apos;s time and the edited lecture&apos;s time; click to show only one of them or both</source>
        <translation>Zeit der Aufnahme und Zeit der bearbeiteten Vorlesung; klicken, um nur eine davon oder beide zu zeigen</translation>
    </message>
    <message>
        <location filename="../player.py" line="768"/>
        <source>Play edited</source>
        <translation>Bearbeitet abspielen</translation>
    </message>
    <message>
        <location filename="../player.py" line="769"/>
        <source>Skip the deleted words while playing (off: play the recording as it was)</source>
        <translation>Gelöschte Wörter beim Abspielen überspringen (aus: die Aufnahme wie aufgenommen abspielen)</translation>
    </message>
    <message>
        <location filename="../player.py" line="796"/>
        <source>Pause (Space)</source>
        <translation>Pause (Leertaste)</translation>
    </message>
    <message>
        <location filename="../player.py" line="796"/>
        <source>Play (Space)</source>
        <translation>Abspielen (Leertaste)</translation>
    </message>
    <message>
        <location filename="../player.py" line="810"/>
        <source>edited %1 / %2</source>
        <translation>bearbeitet %1 / %2</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../dialogs.py" line="364"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="371"/>
        <source>&apos;auto&apos; uses the Whisper weights installed with lecturecut; a name or a path chooses another model</source>
        <translation>„auto“ verwendet die mit lecturecut installierten Whisper-Gewichte; ein Name oder Pfad wählt ein anderes Modell</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="375"/>
        <source>Detect automatically</source>
        <translation>Automatisch erkennen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="378"/>
        <source>When the language is detected, it is chosen among these (codes such as en, de, fr); an unlikely result is pointed out with a one-click fix</source>
        <translation>Wird die Sprache erkannt, dann unter diesen (Kürzel wie en, de, fr); ein unwahrscheinliches Ergebnis wird mit einer Ein-Klick-Korrektur angezeigt</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="391"/>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="394"/>
        <source>Transcription (for newly opened videos)</source>
        <translation>Transkription (für neu geöffnete Videos)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="396"/>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="397"/>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="398"/>
        <source>Detect among:</source>
        <translation>Erkennen unter:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="399"/>
        <source>Engine:</source>
        <translation>Engine:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="400"/>
        <source>Synthesis of retyped words</source>
        <translation>Synthese neu getippter Wörter</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="402"/>
        <source>Voice:</source>
        <translation>Stimme:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="403"/>
        <source>Lip sync:</source>
        <translation>Lippensynchronisation:</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="404"/>
        <source>Interface</source>
        <translation>Oberfläche</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="406"/>
        <source>Language (after a restart):</source>
        <translation>Sprache (nach einem Neustart):</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="408"/>
        <source>Model weights</source>
        <translation>Modellgewichte</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="410"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="410"/>
        <source>Used for</source>
        <translation>Verwendet für</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="410"/>
        <source>Licence</source>
        <translation>Lizenz</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="411"/>
        <source>Where</source>
        <translation>Ort</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="417"/>
        <source>Looking for model files…</source>
        <translation>Modelldateien werden gesucht…</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="419"/>
        <location filename="../dialogs.py" line="507"/>
        <source>Fetch</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="420"/>
        <source>Download the selected model (needs a network connection)</source>
        <translation>Das ausgewählte Modell herunterladen (braucht eine Netzwerkverbindung)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="472"/>
        <source>not present</source>
        <translation>nicht vorhanden</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="481"/>
        <source>%1 of %2 models present.</source>
        <translation>%1 von %2 Modellen vorhanden.</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="509"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../dialogs.py" line="539"/>
        <source>Play / pause (the edited lecture)</source>
        <translation>Abspielen / Pause (die bearbeitete Vorlesung)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="540"/>
        <source>Jump back 5 seconds</source>
        <translation>5 Sekunden zurückspringen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="541"/>
        <source>Pause, stop the preview, normal speed</source>
        <translation>Pause, Vorschau beenden, normale Geschwindigkeit</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="542"/>
        <source>Play; again: faster (up to 2×)</source>
        <translation>Abspielen; nochmals: schneller (bis 2×)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="543"/>
        <source>Previous / next word (seeks there)</source>
        <translation>Vorheriges / nächstes Wort (springt dorthin)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="544"/>
        <source>Extend the selection by a word</source>
        <translation>Auswahl um ein Wort erweitern</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="546"/>
        <source>Delete the selected words (or the word at the cursor)</source>
        <translation>Ausgewählte Wörter löschen (oder das Wort am Cursor)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="547"/>
        <source>Type over a selection</source>
        <translation>Über eine Auswahl tippen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="548"/>
        <source>Retype the words (Enter confirms, Esc cancels)</source>
        <translation>Die Wörter neu tippen (Eingabe bestätigt, Esc bricht ab)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="549"/>
        <source>Retype the selected words</source>
        <translation>Ausgewählte Wörter neu tippen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="550"/>
        <source>Restore the selected words as recorded</source>
        <translation>Ausgewählte Wörter wie aufgenommen wiederherstellen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="551"/>
        <source>Play the selected words (as edited)</source>
        <translation>Die ausgewählten Wörter abspielen (wie bearbeitet)</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="552"/>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="553"/>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="554"/>
        <source>Find and replace</source>
        <translation>Suchen und Ersetzen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="555"/>
        <source>Hide / show deleted words</source>
        <translation>Gelöschte Wörter aus- / einblenden</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="556"/>
        <source>Open a video or project</source>
        <translation>Video oder Projekt öffnen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="557"/>
        <source>Save / Save as</source>
        <translation>Speichern / Speichern unter</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="558"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="559"/>
        <source>Click a word</source>
        <translation>Klick auf ein Wort</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="560"/>
        <source>Play from that word</source>
        <translation>Ab diesem Wort abspielen</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="561"/>
        <source>Ctrl+wheel on the timeline</source>
        <translation>Strg+Mausrad auf der Zeitleiste</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="562"/>
        <source>Zoom the waveform</source>
        <translation>Wellenform zoomen</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../dialogs.py" line="569"/>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="572"/>
        <source>Key</source>
        <translation>Taste</translation>
    </message>
    <message>
        <location filename="../dialogs.py" line="572"/>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
</context>
<context>
    <name>TimelineWidget</name>
    <message>
        <location filename="../timeline.py" line="55"/>
        <source>Waveform with the edits (red: cut, orange: retyped). Click to seek, Ctrl+wheel to zoom.</source>
        <translation>Wellenform mit den Änderungen (rot: geschnitten, orange: neu getippt). Klicken springt dorthin, Strg+Mausrad zoomt.</translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message>
        <location filename="../transcript_view.py" line="236"/>
        <source>The transcript appears here once a video is opened and transcribed.</source>
        <translation>Das Transkript erscheint hier, sobald ein Video geöffnet und transkribiert ist.</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="487"/>
        <source>New words, then Enter (Esc cancels)</source>
        <translation>Neue Wörter, dann Eingabe (Esc bricht ab)</translation>
    </message>
    <message numerus="yes">
        <location filename="../transcript_view.py" line="716"/>
        <source>%n deleted word(s) hidden: %1</source>
        <translation>
            <numerusform>%n gelöschtes Wort ausgeblendet: %1</numerusform>
            <numerusform>%n gelöschte Wörter ausgeblendet: %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="720"/>
        <source>spoken in the lecturer&apos;s own voice</source>
        <translation>in der eigenen Stimme der Lehrperson gesprochen</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="722"/>
        <source>spoken by a generic voice (not the lecturer&apos;s)</source>
        <translation>von einer allgemeinen Stimme gesprochen (nicht der der Lehrperson)</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="724"/>
        <source>the new voice is pending</source>
        <translation>die neue Stimme steht noch aus</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="726"/>
        <source>Inserted words: %1</source>
        <translation>Eingefügte Wörter: %1</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="727"/>
        <source>Retyped (was: “%1”): %2</source>
        <translation>Neu getippt (vorher: „%1“): %2</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="731"/>
        <source>Deleted: select it and press Ctrl+R to restore</source>
        <translation>Gelöscht: auswählen und Strg+R drücken, um es wiederherzustellen</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="733"/>
        <source>Retyped: the recorded words are replaced</source>
        <translation>Neu getippt: die aufgenommenen Wörter werden ersetzt</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="735"/>
        <source>Low confidence (%1%): check that this word is right</source>
        <translation>Unsicher erkannt (%1 %): prüfen Sie, ob dieses Wort stimmt</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="742"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="746"/>
        <source>Retype…</source>
        <translation>Neu tippen…</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="750"/>
        <source>Restore</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <location filename="../transcript_view.py" line="754"/>
        <source>Play from here</source>
        <translation>Ab hier abspielen</translation>
    </message>
</context>
<context>
    <name>VideoView</name>
    <message>
        <location filename="../player.py" line="728"/>
        <source>Open a lecture video (File &gt; Open, or drop it here)</source>
        <translation>Ein Vorlesungsvideo öffnen (Datei &gt; Öffnen, oder hierher ziehen)</translation>
    </message>
    <message>
        <location filename="../player.py" line="732"/>
        <source>No picture (the video cannot be played on this system)</source>
        <translation>Kein Bild (das Video kann auf diesem System nicht abgespielt werden)</translation>
    </message>
    <message>
        <location filename="../player.py" line="733"/>
        <source>Loading the picture…</source>
        <translation>Bild wird geladen…</translation>
    </message>
</context>
<context>
    <name>VoicePanel</name>
    <message>
        <location filename="../voice_panel.py" line="55"/>
        <source>Voice of the retype</source>
        <translation>Stimme der neuen Stelle</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="66"/>
        <source>Recorded words</source>
        <translation>Aufgenommene Wörter</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="68"/>
        <location filename="../voice_panel.py" line="163"/>
        <source>Finding where the lecture says these words…</source>
        <translation>Suche, wo die Vorlesung diese Wörter sagt…</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="77"/>
        <source>Louder or softer new words (the room sound around them stays)</source>
        <translation>Neue Wörter lauter oder leiser (der Raumklang um sie herum bleibt)</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="81"/>
        <source>The new words&apos; length: over 100 % slower, under 100 % faster (pitch kept)</source>
        <translation>Länge der neuen Wörter: über 100 % langsamer, unter 100 % schneller (Tonhöhe bleibt)</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="86"/>
        <source>Start the new words later (+) or earlier (−) in their pause</source>
        <translation>Die neuen Wörter später (+) oder früher (−) in ihrer Pause beginnen</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="87"/>
        <source>Adjust</source>
        <translation>Anpassen</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="89"/>
        <source>Loudness</source>
        <translation>Lautstärke</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="90"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="91"/>
        <source>Shift</source>
        <translation>Verschiebung</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="94"/>
        <source>Apply</source>
        <translation>Anwenden</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="95"/>
        <source>Make the new speech this way (undoable), then hear it</source>
        <translation>Die neue Sprache so erzeugen (rückgängig machbar) und dann anhören</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="96"/>
        <source>Reset</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="97"/>
        <source>As the voice engine chose it</source>
        <translation>So, wie die Sprachsynthese es gewählt hat</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="98"/>
        <source>Listen</source>
        <translation>Anhören</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="99"/>
        <source>Play the retype with a second either side, as edited</source>
        <translation>Die neue Stelle mit je einer Sekunde davor und danach abspielen, wie bearbeitet</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="182"/>
        <source>The lecture never says some of these words, so they are built from the lecturer&apos;s sounds or a generic voice: there is no recording to choose.</source>
        <translation>Die Vorlesung sagt einige dieser Wörter nie; sie werden aus den Lauten der vortragenden Person oder mit einer generischen Stimme gebaut: es gibt keine Aufnahme zur Auswahl.</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="186"/>
        <source>Which recording of the lecture says each part (best first):</source>
        <translation>Welche Aufnahme der Vorlesung jeden Teil spricht (beste zuerst):</translation>
    </message>
    <message>
        <location filename="../voice_panel.py" line="197"/>
        <source>(best)</source>
        <translation>(beste)</translation>
    </message>
</context>
<context>
    <name>VoiceSynthesizer</name>
    <message>
        <location filename="../voice.py" line="175"/>
        <location filename="../voice.py" line="176"/>
        <source>Voice: &apos;%1&apos; …</source>
        <translation>Stimme: „%1“ …</translation>
    </message>
    <message>
        <location filename="../voice.py" line="253"/>
        <source>Voice: %1</source>
        <translation>Stimme: %1</translation>
    </message>
</context>
</TS>

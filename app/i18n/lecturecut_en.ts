<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>EditListPanel</name>
    <message numerus="yes">
        <location filename="../edit_list.py" line="337"/>
        <source>%n cuts</source>
        <translation>
            <numerusform>%n cut</numerusform>
            <numerusform>%n cuts</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../edit_list.py" line="337"/>
        <source>%n retypes</source>
        <translation>
            <numerusform>%n retype</numerusform>
            <numerusform>%n retypes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../edit_list.py" line="339"/>
        <source>%n pauses shortened</source>
        <translation>
            <numerusform>%n pause shortened</numerusform>
            <numerusform>%n pauses shortened</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message numerus="yes">
        <location filename="../dialogs.py" line="314"/>
        <source>%n cuts</source>
        <translation>
            <numerusform>%n cut</numerusform>
            <numerusform>%n cuts</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message numerus="yes">
        <location filename="../find_bar.py" line="106"/>
        <source>%n matches</source>
        <translation>
            <numerusform>%n match</numerusform>
            <numerusform>%n matches</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../find_bar.py" line="109"/>
        <source>Replacing needs new speech for %n words (made in the lecturer&apos;s voice)</source>
        <translation>
            <numerusform>Replacing needs new speech for %n word (made in the lecturer&apos;s voice)</numerusform>
            <numerusform>Replacing needs new speech for %n words (made in the lecturer&apos;s voice)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../find_bar.py" line="205"/>
        <source>%n replaced</source>
        <translation>
            <numerusform>%n replaced</numerusform>
            <numerusform>%n replaced</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../main_window.py" line="451"/>
        <source>%n words</source>
        <translation>
            <numerusform>%n word</numerusform>
            <numerusform>%n words</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TranscriptView</name>
    <message numerus="yes">
        <location filename="../transcript_view.py" line="716"/>
        <source>%n deleted word(s) hidden: %1</source>
        <translation>
            <numerusform>%n deleted word hidden: %1</numerusform>
            <numerusform>%n deleted words hidden: %1</numerusform>
        </translation>
    </message>
</context>
</TS>

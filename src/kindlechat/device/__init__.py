"""The Kindle as a device, through its own services: screensaver.py keeps powerd's
screensaver away only while a reply streams or a phone types (lipc-set-prop
com.lab126.powerd preventScreenSaver), sleepwatch.py notices that the Kindle slept
(CLOCK_BOOTTIME runs on through a suspend, CLOCK_MONOTONIC does not) and waits for
the network's return (lipc-wait-event com.lab126.cmd connectionAvailable, or rare
checks). On a desktop the lipc tools are absent and both do nothing but wait.

Knows no HTTP, no provider and no chat.
"""

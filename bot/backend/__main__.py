from bot.backend.app import main

main()
